// SPDX-License-Identifier: MIT
// Classic pcap capture files (the format tcpdump -w writes and tshark/Wireshark read):
// a 24-byte file header, then a 16-byte record header before each packet. Microsecond
// timestamps, this machine's byte order for writing; either order when reading.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <soket/diag/packet.hpp>

namespace soket::diag {

/// One packet of a capture.
struct PcapRecord {
  std::int64_t seconds = 0;
  std::uint32_t microseconds = 0;
  std::uint32_t wire_length = 0;   ///< the packet's length on the wire
  std::vector<std::uint8_t> data;  ///< the captured bytes (at most snaplen)
};

/// Writes a pcap file. Owns the file; not thread-safe. Throws soket::Error naming the path
/// when the file cannot be created or written (a full disk included).
class PcapWriter {
 public:
  PcapWriter(const std::string& path, LinkType link, std::uint32_t snaplen);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(std::int64_t seconds, std::uint32_t microseconds, std::span<const std::uint8_t> data,
             std::uint32_t wire_length);
  /// Pushes buffered records to the kernel (a reader sees them).
  void flush();
  /// Flushes and closes, reporting a failure the destructor would have to swallow.
  void close();

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint32_t snaplen_;
};

/// Parses a whole pcap file image (microsecond or nanosecond magic, either byte order). Throws
/// std::invalid_argument naming what is wrong: bad magic, a record longer than its snaplen or
/// the image ("pcap record 3: truncated"), a header cut short.
struct PcapFile {
  LinkType link = LinkType::ethernet;
  std::uint32_t snaplen = 0;
  std::vector<PcapRecord> records;
};
PcapFile parse_pcap(std::span<const std::uint8_t> image);
/// Reads and parses `path`; soket::Error if it cannot be read.
PcapFile read_pcap(const std::string& path);

}  // namespace soket::diag
