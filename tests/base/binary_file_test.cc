#include "base/binary_file.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

#include <filesystem>
#include <fstream>

namespace credmatch {
namespace {

std::string temp_path(const std::string& name) {
  return testing_util::unique_temp_path("test_" + name).string();
}

FileHeader sample_header() {
  FileHeader h;
  h.kind = "index:Flat";
  h.format_version = 3;
  h.dim = 8;
  h.encoder_id = "tfidf-svd:abc";
  h.count = 42;
  return h;
}

// Rewrites `path` once per byte with that byte flipped, calling check(i, file size) each time.
template <typename Check>
void for_each_flipped_byte(const std::string& path, Check check) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(bad.data(), static_cast<std::streamsize>(bad.size()));
    check(i, bytes.size());
  }
}

TEST(BinaryFile, RoundTripsHeaderAndPayload) {
  const std::string path = temp_path("roundtrip.bin");
  ASSERT_TRUE(write_binary_file(path, sample_header(), "payload bytes").is_ok());
  auto file = read_binary_file(path, "index:Flat");
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  EXPECT_EQ(file->header.kind, "index:Flat");
  EXPECT_EQ(file->header.format_version, 3u);
  EXPECT_EQ(file->header.dim, 8u);
  EXPECT_EQ(file->header.encoder_id, "tfidf-svd:abc");
  EXPECT_EQ(file->header.count, 42u);
  EXPECT_EQ(file->payload, "payload bytes");
  std::filesystem::remove(path);
}

TEST(BinaryFile, RejectsWrongKind) {
  const std::string path = temp_path("kind.bin");
  ASSERT_TRUE(write_binary_file(path, sample_header(), "x").is_ok());
  auto file = read_binary_file(path, "encoder:tfidf-svd");
  ASSERT_FALSE(file.is_ok());
  EXPECT_EQ(file.status().code(), StatusCode::kMismatch);
  std::filesystem::remove(path);
}

TEST(BinaryFile, DetectsEveryTruncation) {
  const std::string path = temp_path("trunc.bin");
  ASSERT_TRUE(write_binary_file(path, sample_header(), std::string(100, 'z')).is_ok());
  const auto full_size = std::filesystem::file_size(path);
  for (uintmax_t size = 0; size < full_size; ++size) {
    std::filesystem::resize_file(path, size);
    auto file = read_binary_file(path, "");
    EXPECT_FALSE(file.is_ok()) << "size " << size;
    ASSERT_TRUE(write_binary_file(path, sample_header(), std::string(100, 'z')).is_ok());
  }
  std::filesystem::remove(path);
}

TEST(BinaryFile, DetectsEveryFlippedByte) {
  const std::string path = temp_path("flip.bin");
  ASSERT_TRUE(write_binary_file(path, sample_header(), std::string(64, 'q')).is_ok());
  for_each_flipped_byte(path, [&](size_t i, size_t) {
    auto file = read_binary_file(path, "");
    EXPECT_FALSE(file.is_ok()) << "byte " << i;
  });
  std::filesystem::remove(path);
}

// The header reader plus read_binary_payload (how large payloads are loaded) must catch every
// damage that read_binary_file does, and read back the same bytes.
TEST(BinaryFile, HeaderThenPayloadReadsTheBytesAndDetectsEveryFlippedByte) {
  const std::string path = temp_path("payload.bin");
  std::string payload(300, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(write_binary_file(path, sample_header(), payload).is_ok());
  auto read_all = [&]() -> Result<std::string> {
    auto layout = read_binary_file_header(path, "");
    if (!layout) return layout.status();
    std::string out(layout->payload_size, '\0');
    CREDMATCH_RETURN_IF_ERROR(read_binary_payload(path, *layout, out.data()));
    return out;
  };
  auto good = read_all();
  ASSERT_TRUE(good.is_ok()) << good.status().to_string();
  EXPECT_EQ(*good, payload);
  for_each_flipped_byte(path, [&](size_t i, size_t file_size) {
    auto r = read_all();
    ASSERT_FALSE(r.is_ok()) << "byte " << i;
    if (i >= file_size - payload.size() - 4) {  // the payload or its checksum
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << "byte " << i;
    }
  });
  std::filesystem::remove(path);
}

TEST(BinaryFile, MissingFileIsNotFound) {
  auto file = read_binary_file(temp_path("does_not_exist.bin"), "");
  ASSERT_FALSE(file.is_ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace credmatch
