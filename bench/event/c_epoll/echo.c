/* SPDX-License-Identifier: MIT */
/* The reference: a plain single-threaded level-triggered epoll echo server in C, written the
 * way one would by hand (64 KiB stack buffer, direct write, remainder buffered + EPOLLOUT).
 * Usage: c_epoll_echo [port]   (prints "PORT <n>", listens on 127.0.0.1) */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
  int fd;
  char* pending; /* unsent bytes, only while the peer is slow */
  size_t len, off;
};

static void conn_close(int ep, struct conn* c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->pending);
  free(c);
}

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr*)&a, sizeof a) < 0 || listen(lfd, 4096) < 0) {
    perror("bind/listen");
    return 1;
  }
  socklen_t alen = sizeof a;
  getsockname(lfd, (struct sockaddr*)&a, &alen);
  printf("PORT %d\n", ntohs(a.sin_port));
  fflush(stdout);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  static struct epoll_event evs[256];
  static char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; ++i) {
      struct conn* c = evs[i].data.ptr;
      if (!c) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          c = calloc(1, sizeof *c);
          c->fd = fd;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        }
        continue;
      }
      if (evs[i].events & EPOLLOUT) {
        ssize_t w = send(c->fd, c->pending + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) {
          conn_close(ep, c);
          continue;
        }
        if (w > 0) c->off += (size_t)w;
        if (c->off == c->len) {
          free(c->pending);
          c->pending = NULL;
          c->len = c->off = 0;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
        }
        continue;
      }
      if (c->pending) continue; /* back-pressure: wait for EPOLLOUT before reading more */
      ssize_t r = read(c->fd, buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        conn_close(ep, c);
        continue;
      }
      ssize_t w = send(c->fd, buf, (size_t)r, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN) {
        conn_close(ep, c);
        continue;
      }
      if (w < 0) w = 0;
      if (w < r) {
        c->len = (size_t)(r - w);
        c->off = 0;
        c->pending = malloc(c->len);
        memcpy(c->pending, buf + w, c->len);
        struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
      }
    }
  }
}
