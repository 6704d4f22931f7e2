/* The main loop: epoll over fds and timers, and work deferred until it sleeps (main thread). */
#ifndef VMM_MAINLOOP_H
#define VMM_MAINLOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct mainloop;
struct watch;

/* Called on the main thread with the big lock held (fd -1 for a timer). */
typedef void (*watch_fn)(int fd, uint32_t events, void *opaque);

/* Work deferred to the main loop, before it next sleeps; embedded in its owner. */
struct mainloop_soon {
	void (*fn)(struct mainloop_soon *s);
	struct mainloop_soon *next;
	bool queued;
};

/* The loop runs on the thread that creates it; big_lock is held except while it sleeps. */
struct mainloop *mainloop_new(pthread_mutex_t *big_lock);
void mainloop_free(struct mainloop *loop);
/* Watches fd for the epoll events given; NULL on failure (errno set). */
struct watch *mainloop_add_fd(struct mainloop *loop, int fd, uint32_t events, watch_fn fn,
			      void *opaque);
/* Changes the events watched; 0 takes fd out of the set (a hang-up is then not reported). */
int mainloop_modify(struct mainloop *loop, struct watch *w, uint32_t events);
/* Stops watching; safe from inside any callback. Closes the fd of a timer only. */
void mainloop_remove(struct mainloop *loop, struct watch *w);
/* Calls fn once, ms milliseconds from now; mainloop_remove() cancels and frees it. */
struct watch *mainloop_add_timer(struct mainloop *loop, unsigned ms, watch_fn fn, void *opaque);
/*
 * Queues s->fn to run on the main thread before the loop sleeps again (once, however often it is
 * queued). From another thread (a vCPU, holding the big lock) it also wakes the loop.
 */
void mainloop_soon(struct mainloop *loop, struct mainloop_soon *s);
void mainloop_soon_cancel(struct mainloop *loop, struct mainloop_soon *s);
/* Runs until mainloop_quit(); the caller holds the big lock. */
void mainloop_run(struct mainloop *loop);
/* The same, returning early (true) once done(opaque) holds, asked after every round of events
 * and deferred work; false when mainloop_quit() ended it. */
bool mainloop_run_until(struct mainloop *loop, bool (*done)(void *opaque), void *opaque);
/* Ends mainloop_run() (any thread with the big lock). */
void mainloop_quit(struct mainloop *loop);
bool mainloop_quitting(const struct mainloop *loop);

#endif
