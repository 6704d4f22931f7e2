/* The main loop: one epoll set of file descriptors, served on the main thread under the big lock.
 */
#ifndef VMM_MAINLOOP_H
#define VMM_MAINLOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct mainloop;
struct watch;

/* Called on the main thread with the big lock held. */
typedef void (*watch_fn)(int fd, uint32_t events, void *opaque);

struct mainloop *mainloop_new(pthread_mutex_t *big_lock);
void mainloop_free(struct mainloop *loop);
/* Watches fd for the epoll events given; NULL on failure (errno set). */
struct watch *mainloop_add_fd(struct mainloop *loop, int fd, uint32_t events, watch_fn fn,
			      void *opaque);
int mainloop_modify(struct mainloop *loop, struct watch *w, uint32_t events);
/* Stops watching; safe from inside any callback. Does not close the fd. */
void mainloop_remove(struct mainloop *loop, struct watch *w);
/* Runs until mainloop_quit(); the caller holds the big lock. */
void mainloop_run(struct mainloop *loop);
void mainloop_quit(struct mainloop *loop);

#endif
