// Placeholder until the converters land.
int main() { return 1; }
