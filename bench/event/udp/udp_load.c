/* SPDX-License-Identifier: MIT */
/* UDP echo load generator: C sockets (connected), each keeping `depth` datagrams of `size`
 * bytes in flight, sent as bursts of `burst` with one UDP_SEGMENT (GSO) message — the same
 * traffic for every server. A window that makes no progress for 100 ms is refilled (UDP may
 * drop). Every reply's length is checked. Prints one JSON line: messages, seconds, lost.
 * Usage: udp_load PORT CLIENTS DEPTH SIZE SECONDS [BURST] */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char payload[65536];
static int size, burst;

static int send_burst(int fd, int n) {
  if (n <= 0) return 0;
  if (n == 1 || burst == 1) {
    int sent = 0;
    for (int i = 0; i < n; ++i) sent += send(fd, payload, (size_t)size, 0) == size;
    return sent;
  }
  char control[CMSG_SPACE(sizeof(unsigned short))] = {0};
  struct iovec iov = {payload, (size_t)size * (size_t)n};
  struct msghdr m = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(unsigned short));
  unsigned short seg = (unsigned short)size;
  memcpy(CMSG_DATA(c), &seg, sizeof seg);
  return sendmsg(fd, &m, 0) < 0 ? 0 : n;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: udp_load PORT CLIENTS DEPTH SIZE SECONDS [BURST]\n");
    return 2;
  }
  int port = atoi(argv[1]), clients = atoi(argv[2]), depth = atoi(argv[3]);
  size = atoi(argv[4]);
  double seconds = atof(argv[5]);
  burst = argc > 6 ? atoi(argv[6]) : 1;
  memset(payload, 'u', sizeof payload);
  int ep = epoll_create1(0);
  int* fds = calloc((size_t)clients, sizeof(int));
  int* inflight = calloc((size_t)clients, sizeof(int));
  double* last = calloc((size_t)clients, sizeof(double));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  double start = now(), end = start + seconds;
  for (int i = 0; i < clients; ++i) {
    fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    connect(fds[i], (struct sockaddr*)&a, sizeof a);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    for (int k = 0; k < depth; k += burst) {
      int n = depth - k < burst ? depth - k : burst;
      inflight[i] += send_burst(fds[i], n);
    }
    last[i] = start;
  }
  long long messages = 0, lost = 0, bad = 0;
  static char buf[65536];
  struct epoll_event evs[256];
  for (double t = now(); t < end; t = now()) {
    int n = epoll_wait(ep, evs, 256, 20);
    for (int k = 0; k < n; ++k) {
      int i = (int)evs[k].data.u32, got = 0;
      ssize_t r;
      while ((r = recv(fds[i], buf, sizeof buf, 0)) >= 0) {
        if (r != size) ++bad;
        ++got;
      }
      messages += got;
      inflight[i] -= got;
      last[i] = t;
      /* refill in bursts: keeps the traffic shape (GSO bursts) the same for every server */
      while (depth - inflight[i] >= burst) inflight[i] += send_burst(fds[i], burst);
    }
    for (int i = 0; i < clients; ++i) {
      if (t - last[i] > 0.1) { /* no reply for 100 ms: count the window lost, send a new one */
        lost += inflight[i];
        inflight[i] = 0;
        while (depth - inflight[i] > 0) {
          int b = depth - inflight[i] < burst ? depth - inflight[i] : burst;
          inflight[i] += send_burst(fds[i], b);
        }
        last[i] = t;
      }
    }
  }
  double took = now() - start;
  printf("{\"messages\": %lld, \"seconds\": %.3f, \"lost\": %lld, \"bad\": %lld}\n", messages, took,
         lost, bad);
  return bad ? 1 : 0;
}
