// This process's resident memory, from /proc/self/status (Linux), for the tools that report
// what a build or a loaded index costs. Zeros where /proc is absent.
//
// Usage:
//   const ResidentMemory m = resident_memory();
//   std::printf("RSS %.2f GiB, peak %.2f GiB\n", m.now_gib, m.peak_gib);
#pragma once

#include <fstream>
#include <string>

namespace credmatch {

struct ResidentMemory {
  double now_gib = 0;   // VmRSS
  double peak_gib = 0;  // VmHWM: the most resident at any time so far
};

inline ResidentMemory resident_memory() {
  ResidentMemory m;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    // Lines read "VmRSS:    123456 kB".
    if (line.starts_with("VmRSS:")) m.now_gib = std::stod(line.substr(6)) / 1024.0 / 1024.0;
    if (line.starts_with("VmHWM:")) m.peak_gib = std::stod(line.substr(6)) / 1024.0 / 1024.0;
  }
  return m;
}

}  // namespace credmatch
