/* SPDX-License-Identifier: MIT */
/* The UDP reference: a plain blocking recvfrom/sendto echo loop in C, as one writes it by hand.
 * Usage: c_udp_echo [port]   (prints "PORT <n>", listens on 127.0.0.1) */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) {
    perror("bind");
    return 1;
  }
  socklen_t alen = sizeof a;
  getsockname(fd, (struct sockaddr*)&a, &alen);
  printf("PORT %d\n", ntohs(a.sin_port));
  fflush(stdout);
  static char buf[65536];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &flen);
    if (n < 0) continue;
    sendto(fd, buf, (size_t)n, 0, (struct sockaddr*)&from, flen);
  }
}
