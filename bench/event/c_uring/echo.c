/* SPDX-License-Identifier: MIT */
/* The second reference: a single-threaded io_uring echo server in C (liburing), the shape the
 * kernel's authors recommend: multishot accept, multishot receive into a provided-buffer ring
 * (no buffer held by an idle connection), sends straight from the received buffer, which
 * goes back to the ring when the send completes; DEFER_TASKRUN + SINGLE_ISSUER rings.
 * One send in flight per connection keeps the echo in order; what arrives meanwhile queues
 * (its buffers linked through next[]).
 * Usage: c_uring_echo [port]   (prints "PORT <n>", listens on 127.0.0.1) */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define NBUF 4096 /* provided buffers: NBUF x BUFSZ of address space, touched as used */
#define BUFSZ 16384
#define MAXFD 65536
enum { ACCEPT = 1, RECV = 2, SEND = 3, CANCEL = 4 };

struct conn {        /* 12 bytes per descriptor */
  int head, tail;    /* queued buffers to send, -1: none */
  unsigned off : 24; /* bytes of the head buffer already sent */
  unsigned sending : 1, receiving : 1, closed : 1;
};

static struct io_uring ring;
static struct io_uring_buf_ring* br;
static char* bufs;
static int next_buf[NBUF], len_buf[NBUF];
static struct conn conns[MAXFD];
static int starved[MAXFD], nstarved; /* receives ended by ENOBUFS: re-armed once buffers return */

static unsigned long long ud(int type, int fd) {
  return (unsigned long long)type << 32 | (unsigned)fd;
}

static struct io_uring_sqe* sqe(void) {
  struct io_uring_sqe* s = io_uring_get_sqe(&ring);
  if (!s) {
    io_uring_submit(&ring);
    s = io_uring_get_sqe(&ring);
  }
  return s;
}

static void arm_accept(int lfd) {
  struct io_uring_sqe* s = sqe();
  io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(s, ud(ACCEPT, lfd));
}

static void recycle(int bid) {
  io_uring_buf_ring_add(br, bufs + (size_t)bid * BUFSZ, BUFSZ, (unsigned short)bid,
                        io_uring_buf_ring_mask(NBUF), 0);
  io_uring_buf_ring_advance(br, 1);
}

static void arm_recv(int fd) {
  struct io_uring_sqe* s = sqe();
  io_uring_prep_recv_multishot(s, fd, NULL, 0, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = 0;
  io_uring_sqe_set_data64(s, ud(RECV, fd));
  conns[fd].receiving = 1;
}

static void send_head(int fd) {
  struct conn* c = &conns[fd];
  int bid = c->head;
  struct io_uring_sqe* s = sqe();
  io_uring_prep_send(s, fd, bufs + (size_t)bid * BUFSZ + c->off,
                     (size_t)(len_buf[bid] - (int)c->off), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(s, ud(SEND, fd));
  c->sending = 1;
}

static void maybe_close(int fd) {
  struct conn* c = &conns[fd];
  if (c->closed && !c->sending && !c->receiving) {
    close(fd);
    memset(c, 0, sizeof *c);
    c->head = c->tail = -1;
  }
}

static void drop_queue(struct conn* c) {
  while (c->head >= 0) {
    int b = c->head;
    c->head = next_buf[b];
    recycle(b);
  }
  c->tail = -1;
}

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

  struct io_uring_params p = {0};
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  p.cq_entries = 16384;
  int r = io_uring_queue_init_params(4096, &ring, &p);
  if (r < 0) {
    fprintf(stderr, "c_uring_echo: io_uring_queue_init: %s\n", strerror(-r));
    return 1;
  }
  /* liburing 2.3 has no io_uring_setup_buf_ring: map and register the ring by hand */
  br = mmap(NULL, NBUF * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
            MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  io_uring_buf_ring_init(br);
  struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)br, .ring_entries = NBUF, .bgid = 0};
  r = io_uring_register_buf_ring(&ring, &reg, 0);
  if (r < 0) {
    fprintf(stderr, "c_uring_echo: io_uring_register_buf_ring: %s\n", strerror(-r));
    return 1;
  }
  bufs = malloc((size_t)NBUF * BUFSZ);
  for (int i = 0; i < NBUF; ++i) recycle(i);
  for (int i = 0; i < MAXFD; ++i) conns[i].head = conns[i].tail = -1;

  arm_accept(lfd);
  printf("PORT %d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    io_uring_submit_and_wait(&ring, 1);
    struct io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      int type = (int)(cqe->user_data >> 32), fd = (int)(cqe->user_data & 0xffffffffu);
      int res = cqe->res;
      int more = cqe->flags & IORING_CQE_F_MORE;
      if (type == CANCEL) continue;
      if (type == ACCEPT) {
        if (res >= 0 && res < MAXFD) {
          setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          arm_recv(res);
        } else if (res >= 0) {
          close(res);
        }
        if (!more) arm_accept(lfd); /* the multishot accept ended (error): start another */
        continue;
      }
      struct conn* c = &conns[fd];
      if (type == RECV) {
        if (res > 0) {
          int bid = (int)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
          len_buf[bid] = res;
          next_buf[bid] = -1;
          if (c->closed) {
            recycle(bid);
          } else {
            if (c->tail >= 0)
              next_buf[c->tail] = bid;
            else
              c->head = bid;
            c->tail = bid;
            if (!c->sending) send_head(fd);
          }
        }
        if (!more) {
          c->receiving = 0;
          if (res == -ENOBUFS && !c->closed)
            starved[nstarved++] = fd; /* re-armed when buffers come back */
          else
            c->closed = 1; /* EOF or error */
          maybe_close(fd);
        }
        continue;
      }
      /* SEND */
      c->sending = 0;
      if (res < 0) {
        c->closed = 1;
        drop_queue(c);
        if (c->receiving) { /* stop the receive; its last completion closes */
          struct io_uring_sqe* s = sqe();
          io_uring_prep_cancel64(s, ud(RECV, fd), 0);
          io_uring_sqe_set_data64(s, ud(CANCEL, fd));
        }
        maybe_close(fd);
        continue;
      }
      c->off += (unsigned)res;
      int bid = c->head;
      if ((int)c->off == len_buf[bid]) {
        c->off = 0;
        c->head = next_buf[bid];
        if (c->head < 0) c->tail = -1;
        recycle(bid);
        while (nstarved > 0) {
          int s = starved[--nstarved];
          if (!conns[s].closed && !conns[s].receiving) arm_recv(s);
        }
      }
      if (c->head >= 0 && !c->closed)
        send_head(fd);
      else if (c->closed)
        drop_queue(c);
      maybe_close(fd);
    }
    io_uring_cq_advance(&ring, seen);
  }
}
