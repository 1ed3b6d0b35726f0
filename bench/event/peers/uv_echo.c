/* SPDX-License-Identifier: MIT */
/* libuv's echo server (test/echo-server.c / docs tcp-echo-server shape): one uv loop.
 * Usage: uv_echo [port]  (prints "PORT <n>") */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

typedef struct {
  uv_write_t req;
  uv_buf_t buf;
} write_req_t;

static uv_loop_t* loop;

static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h;
  buf->base = malloc(suggested);
  buf->len = suggested;
}

static void close_cb(uv_handle_t* h) {
  free(h);
}

static void write_cb(uv_write_t* req, int status) {
  (void)status;
  write_req_t* w = (write_req_t*)req;
  free(w->buf.base);
  free(w);
}

static void read_cb(uv_stream_t* client, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    write_req_t* w = malloc(sizeof *w);
    w->buf = uv_buf_init(buf->base, (unsigned)nread);
    uv_write(&w->req, client, &w->buf, 1, write_cb);
    return;
  }
  if (nread < 0) uv_close((uv_handle_t*)client, close_cb);
  free(buf->base);
}

static void on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;
  uv_tcp_t* client = malloc(sizeof *client);
  uv_tcp_init(loop, client);
  if (uv_accept(server, (uv_stream_t*)client) == 0) {
    uv_tcp_nodelay(client, 1);
    uv_read_start((uv_stream_t*)client, alloc_cb, read_cb);
  } else {
    uv_close((uv_handle_t*)client, close_cb);
  }
}

int main(int argc, char** argv) {
  loop = uv_default_loop();
  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", argc > 1 ? atoi(argv[1]) : 0, &addr);
  uv_tcp_bind(&server, (const struct sockaddr*)&addr, 0);
  if (uv_listen((uv_stream_t*)&server, 4096, on_connection)) return 1;
  struct sockaddr_in bound;
  int len = sizeof bound;
  uv_tcp_getsockname(&server, (struct sockaddr*)&bound, &len);
  printf("PORT %d\n", ntohs(bound.sin_port));
  fflush(stdout);
  return uv_run(loop, UV_RUN_DEFAULT);
}
