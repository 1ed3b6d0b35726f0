// SPDX-License-Identifier: MIT
// StaticFiles::respond: target → path → open → preconditions → Range → the plan.
#include "soket/proto/http/static_files.hpp"

#include "soket/proto/http/conditional.hpp"
#include "soket/proto/http/range.hpp"
#include "soket/proto/http/target_path.hpp"

#include "file_cache.hpp"
#include "linux/fd.hpp"

namespace soket::proto::http {
namespace {

std::string_view field_or_empty(const Request& request, std::string_view name) {
  return request.header(name).value_or(std::string_view{});
}

FileResponse text(int status, std::string_view message, bool head) {
  FileResponse r;
  r.status = status;
  r.head = head;
  r.fields.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::string(message) + "\n";
  return r;
}

FileResponse error(int status, bool head) {
  return text(status, std::to_string(status) + " " + std::string(reason_phrase(status)), head);
}

FileResponse from_lookup(LookupResult result, bool head) {
  switch (result) {
    case LookupResult::not_found: return error(404, head);
    case LookupResult::forbidden: return error(403, head);
    default: return error(500, head);
  }
}

void send_plan(FileResponse& plan, Response& response) {
  response.status(plan.status);
  for (const auto& [name, value] : plan.fields) response.header(name, value);
  if (plan.has_file())
    response.send_file(std::move(plan.file), plan.file_offset, plan.file_length);
  else
    response.send(plan.body);
}

// Conditional and Range requests take the full path: they are rare next to plain GETs.
bool plain(const Request& request) noexcept {
  for (const Header& h : request.headers) {
    const std::string_view name = h.name;
    if (name.size() > 3 && iequals(name.substr(0, 3), "If-")) return false;
    if (iequals(name, "Range")) return false;
  }
  return true;
}

}  // namespace

StaticFiles::StaticFiles(const std::filesystem::path& root) : StaticFiles(root, Options{}) {}

StaticFiles::StaticFiles(const std::filesystem::path& root, Options options, const MimeTypes& types)
    : root_(root, {.follow_symlinks_out = options.follow_symlinks_out}),
      options_(std::move(options)),
      types_(types),
      cache_(
          std::make_unique<detail::FileCache>(options_.cache_entries, options_.cache_body_bytes)) {}

StaticFiles::~StaticFiles() = default;

std::size_t StaticFiles::cached_files() const {
  return cache_->size();
}
StaticFiles::StaticFiles(StaticFiles&&) noexcept = default;

FileResponse StaticFiles::respond(const Request& request) const {
  const std::string_view method = request.method;
  // The path (absolute-form already reduced to it by the server), without the query.
  const std::string_view target = request.path;
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    auto r = error(405, false);
    r.fields.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  TargetPathError why{};
  const auto path = translate_path(target, why);
  if (!path) return error(why == TargetPathError::outside_root ? 403 : 400, head);
  RootFile file;
  std::error_code ec;
  const auto found = root_.open(path->relative, file, ec);
  if (found != LookupResult::found) return from_lookup(found, head);
  if (file.directory) {
    const auto end = target.find_first_of("?#");
    return serve_directory(std::move(file), target.substr(0, end), path->relative, head, request);
  }
  // "/file.txt/" names a file as if it were a directory: Python and nginx answer 404.
  if (path->directory) return error(404, head);
  return serve_file(std::move(file), path->relative, head, request);
}

FileResponse StaticFiles::serve_directory(RootFile dir, std::string_view target_path,
                                          const std::string& relative, bool head,
                                          const Request& request) const {
  // Python's send_head: a directory without its trailing slash is redirected to it, so the
  // listing's relative links resolve inside it.
  if (target_path.empty() || target_path.back() != '/') {
    FileResponse r = text(301, "Moved Permanently", head);
    r.status = 301;
    r.fields.emplace_back("Location", std::string(target_path) + "/");
    return r;
  }
  for (const auto& index : options_.index_files) {
    std::string candidate = relative;
    if (!candidate.empty()) candidate += '/';
    candidate += index;
    RootFile file;
    std::error_code ec;
    if (root_.open(candidate, file, ec) == LookupResult::found && !file.directory)
      return serve_file(std::move(file), candidate, head, request);
  }
  if (!options_.list_directories) return error(403, head);
  std::error_code ec;
  const auto entries = root_.list(dir, ec);
  if (ec) return error(500, head);
  FileResponse r;
  r.head = head;
  r.fields.emplace_back("Content-Type", "text/html; charset=utf-8");
  // The page shows the decoded path, as Python's does (escaped by the renderer).
  r.body = render_directory_listing("/" + relative + (relative.empty() ? "" : "/"), entries);
  return r;
}

FileResponse StaticFiles::serve_file(RootFile file, std::string_view relative, bool head,
                                     const Request& request) const {
  FileResponse r;
  r.head = head;
  const std::string etag = make_etag(file.mtime, file.size);
  const std::string last_modified = format_http_date(file.mtime);
  const Conditions c{field_or_empty(request, "If-Match"), field_or_empty(request, "If-None-Match"),
                     field_or_empty(request, "If-Modified-Since"),
                     field_or_empty(request, "If-Unmodified-Since"),
                     field_or_empty(request, "If-Range")};
  switch (evaluate_preconditions(c, etag, file.mtime, true)) {
    case Precondition::not_modified:
      // RFC 9110 §15.4.5: the validators a 200 would carry, no body.
      r.status = 304;
      r.fields.emplace_back("ETag", etag);
      return r;
    case Precondition::failed: return error(412, head);
    case Precondition::none: break;
  }
  r.fields.emplace_back("Content-Type", std::string(types_.guess_type(relative)));
  r.fields.emplace_back("Last-Modified", last_modified);
  r.fields.emplace_back("ETag", etag);
  r.fields.emplace_back("Accept-Ranges", "bytes");
  std::uint64_t offset = 0;
  std::uint64_t length = file.size;
  const auto range_field = request.header("Range");
  // Range applies to GET only (RFC 9110 §14.2); HEAD answers as GET without Range would.
  if (range_field && !head && if_range_allows(c.if_range, etag, file.mtime)) {
    const auto ranges = parse_range(*range_field, file.size, options_.max_ranges);
    if (ranges.status == RangeStatus::unsatisfiable) {
      FileResponse bad = error(416, head);
      bad.fields.emplace_back("Content-Range", "bytes */" + std::to_string(file.size));
      return bad;
    }
    // One range: 206. Several: the whole file (RFC 9110 §14.2 lets a server ignore Range),
    // which keeps every body one sendfile span.
    if (ranges.status == RangeStatus::satisfiable && ranges.ranges.size() == 1) {
      const auto& b = ranges.ranges.front();
      r.status = 206;
      offset = b.first;
      length = b.length();
      r.fields.emplace_back("Content-Range", "bytes " + std::to_string(b.first) + "-" +
                                                 std::to_string(b.last) + "/" +
                                                 std::to_string(file.size));
    }
  }
  r.file_offset = offset;
  r.file_length = length;
  // HEAD keeps the file too: the server sends its Content-Length and drops the body.
  r.file = std::move(file.fd);
  return r;
}

// The hot path: one fstatat when the file is cached, and for a small file the head and the
// body in one writev.
bool StaticFiles::serve_cached(const Request& request, Response& response) const {
  const bool head = request.method == "HEAD";
  if ((!head && request.method != "GET") || !plain(request)) return false;
  TargetPathError why{};
  const auto path = translate_path(request.path, why);
  if (!path || path->directory) return false;
  LookupResult found{};
  const auto file = cache_->find(root_, path->relative, types_, found);
  if (!file) {
    if (found == LookupResult::found) return false;  // a directory
    FileResponse plan = from_lookup(found, head);
    send_plan(plan, response);
    return true;
  }
  if (file->in_memory) {
    detail::add_trusted_fields(response, file->fields);
    response.send(file->body);  // HEAD: the server drops the body, keeps its length
    return true;
  }
  std::error_code ec;
  OwnedFd fd(sys::dup(file->fd.get(), ec));
  if (ec) return false;
  detail::add_trusted_fields(response, file->fields);
  response.send_file(std::move(fd), 0, file->size);
  return true;
}

void StaticFiles::operator()(const Request& request, Response& response) const {
  if (serve_cached(request, response)) return;
  FileResponse plan = respond(request);
  send_plan(plan, response);
}

}  // namespace soket::proto::http
