// SPDX-License-Identifier: MIT
// pcap files: https://www.tcpdump.org/manpages/pcap-savefile.5.html
#include <soket/diag/pcap_file.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <soket/error.hpp>

namespace soket::diag {
namespace {

constexpr std::uint32_t magic_micro = 0xa1b2c3d4, magic_nano = 0xa1b23c4d;

template <class T>
void put(std::vector<std::uint8_t>& out, T value) {
  auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof value);
}

[[noreturn]] void fail(const std::string& op) {
  throw_error({errno != 0 ? errno : EIO, std::system_category()}, op);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, LinkType link, std::uint32_t snaplen)
    : path_(path), snaplen_(snaplen) {
  file_ = std::fopen(path.c_str(), "wbe");  // e: O_CLOEXEC
  if (file_ == nullptr) fail("create " + path);
  std::vector<std::uint8_t> header;
  put(header, magic_micro);
  put(header, std::uint16_t{2});  // version 2.4
  put(header, std::uint16_t{4});
  put(header, std::int32_t{0});   // thiszone
  put(header, std::uint32_t{0});  // sigfigs
  put(header, snaplen);
  put(header, static_cast<std::uint32_t>(link));
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    std::fclose(file_);
    file_ = nullptr;
    fail("write " + path);
  }
}

PcapWriter::~PcapWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void PcapWriter::write(std::int64_t seconds, std::uint32_t microseconds,
                       std::span<const std::uint8_t> data, std::uint32_t wire_length) {
  if (file_ == nullptr) throw std::logic_error("PcapWriter: write after close");
  auto caplen = static_cast<std::uint32_t>(std::min<std::size_t>(data.size(), snaplen_));
  std::vector<std::uint8_t> record;
  record.reserve(16 + caplen);
  put(record, static_cast<std::uint32_t>(seconds));
  put(record, microseconds);
  put(record, caplen);
  put(record, std::max(wire_length, caplen));
  record.insert(record.end(), data.begin(), data.begin() + caplen);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) fail("write " + path_);
}

void PcapWriter::flush() {
  if (file_ != nullptr && std::fflush(file_) != 0) fail("write " + path_);
}

void PcapWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) fail("write " + path_);
}

PcapFile parse_pcap(std::span<const std::uint8_t> image) {
  if (image.size() < 24) throw std::invalid_argument("pcap header: truncated");
  bool swap = false, nano = false;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, image.data() + at, 4);
    return swap ? __builtin_bswap32(v) : v;
  };
  std::uint32_t magic = u32(0);
  if (magic == __builtin_bswap32(magic_micro) || magic == __builtin_bswap32(magic_nano)) {
    swap = true;
    magic = u32(0);
  }
  if (magic == magic_nano)
    nano = true;
  else if (magic != magic_micro)
    throw std::invalid_argument("pcap header: not a pcap file (bad magic)");
  PcapFile file;
  file.snaplen = u32(16);
  file.link = static_cast<LinkType>(u32(20) & 0x0fffffff);  // upper bits: FCS flags
  std::size_t at = 24;
  for (std::size_t n = 1; at < image.size(); ++n) {
    std::string name = "pcap record " + std::to_string(n);
    if (image.size() - at < 16) throw std::invalid_argument(name + ": header truncated");
    PcapRecord r;
    r.seconds = u32(at);
    r.microseconds = nano ? u32(at + 4) / 1000 : u32(at + 4);
    std::uint32_t caplen = u32(at + 8);
    r.wire_length = u32(at + 12);
    if (r.microseconds >= 1000000) throw std::invalid_argument(name + ": bad timestamp");
    // pcap's own readers allow records up to 256 KiB past a small snaplen; be as lenient.
    if (caplen > std::max<std::uint32_t>(file.snaplen, 262144))
      throw std::invalid_argument(name + ": length " + std::to_string(caplen) +
                                  " exceeds the snapshot length");
    at += 16;
    if (image.size() - at < caplen) throw std::invalid_argument(name + ": truncated");
    r.data.assign(image.begin() + static_cast<std::ptrdiff_t>(at),
                  image.begin() + static_cast<std::ptrdiff_t>(at + caplen));
    at += caplen;
    file.records.push_back(std::move(r));
  }
  return file;
}

PcapFile read_pcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("open " + path);
  std::vector<std::uint8_t> image((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) fail("read " + path);
  try {
    return parse_pcap(image);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
}

}  // namespace soket::diag
