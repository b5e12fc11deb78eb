//! A spinning team for the forward pass of a small batch.
//!
//! A short prompt's forward pass is about 30 small parallel steps (6 layers x products and
//! attention), each a few tens of microseconds. On rayon, every step wakes the other worker, which
//! has gone to sleep since the last one: profiled, a fifth of a short prompt's time went to
//! futex waits, wake-ups and `sched_yield`. Inference engines keep their workers spinning between
//! the steps of one pass instead; this does the same for one pass only.
//!
//! `with_team` runs a closure (the pass) on the calling thread while the pool's other workers spin
//! on a shared ticket. Inside it, `for_each` hands out the parts of a step through that ticket; the
//! calling thread takes parts too, so a step never waits for a helper that has not started. Outside
//! a team, `for_each` is rayon's parallel loop. Helpers leave when the pass returns (or unwinds).
//! A waiting thread spins for 50 us, then sleeps between checks (`Backoff`), so a team member
//! preempted by the OS is not kept off the other core by its spinning partner.

use std::cell::{Cell, UnsafeCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

/// The ticket: generation (bits 40..), parts of the step (bits 20..40), next part (bits 0..20).
const PART_BITS: u32 = 20;
const PART_MASK: u64 = (1 << PART_BITS) - 1;

type Job = *const (dyn Fn(usize) + Sync);

struct Team {
    ticket: AtomicU64,
    /// The current step's body. Written by the owner before it publishes the step's ticket
    /// (Release) and only after every part of the previous step has finished; read by a helper
    /// only after it has claimed a part of the current step (Acquire), while the owner waits for
    /// that part.
    job: UnsafeCell<Option<Job>>,
    /// Parts of the current step finished (by anyone).
    done: AtomicUsize,
    /// A helper's part panicked: the owner panics once the step is over.
    poisoned: AtomicBool,
    stop: AtomicBool,
}

// SAFETY: `job` is only written and read under the ticket protocol described on the field.
unsafe impl Sync for Team {}

thread_local! {
    /// The team whose pass runs on this thread, if any.
    static CURRENT: Cell<*const Team> = const { Cell::new(std::ptr::null()) };
}

impl Team {
    /// Claims the next part of the current step, if any is left.
    fn claim(&self) -> Option<usize> {
        let mut t = self.ticket.load(Ordering::Acquire);
        loop {
            let (parts, next) = ((t >> PART_BITS) & PART_MASK, t & PART_MASK);
            if next >= parts {
                return None;
            }
            match self
                .ticket
                .compare_exchange_weak(t, t + 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Some(next as usize),
                Err(now) => t = now,
            }
        }
    }

    /// Ends the current step for newcomers; returns how many parts were claimed.
    fn close(&self) -> usize {
        let mut t = self.ticket.load(Ordering::Acquire);
        loop {
            let (parts, next) = ((t >> PART_BITS) & PART_MASK, t & PART_MASK);
            if next >= parts {
                return parts as usize;
            }
            let closed = (t & !PART_MASK) | parts;
            match self
                .ticket
                .compare_exchange_weak(t, closed, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return next as usize,
                Err(now) => t = now,
            }
        }
    }

    fn wait_done(&self, parts: usize) {
        let mut idle = Backoff::new();
        while self.done.load(Ordering::Acquire) < parts {
            idle.wait();
        }
    }

    /// A helper: runs claimed parts until the pass is over.
    fn help(&self) {
        let mut idle = Backoff::new();
        while !self.stop.load(Ordering::Acquire) {
            match self.claim() {
                Some(part) => {
                    idle = Backoff::new();
                    // SAFETY: a claimed part of the current step: `job` holds that step's body,
                    // which outlives the step (the owner waits for this part in `run`).
                    let job = unsafe { (*self.job.get()).expect("a published step has a body") };
                    if catch_unwind(AssertUnwindSafe(|| unsafe { (*job)(part) })).is_err() {
                        self.poisoned.store(true, Ordering::Release);
                    }
                    self.done.fetch_add(1, Ordering::Release);
                }
                None => idle.wait(),
            }
        }
    }

    /// One step: `f(0..parts)` on this thread and the helpers; returns when every part is done.
    fn run(&self, parts: usize, f: &(dyn Fn(usize) + Sync)) {
        assert!(parts as u64 <= PART_MASK, "team step of {parts} parts");
        // Every part of the previous step has finished (its `run` waited), so nobody reads `job`
        // and no late `done` increment can arrive.
        // SAFETY: the lifetime is erased for storage only: the body is read by helpers only for
        // parts of this step, and this function does not return before those parts are done
        // (`Finish` waits even when a part run here panics).
        unsafe {
            *self.job.get() = Some(std::mem::transmute::<
                &(dyn Fn(usize) + Sync),
                &'static (dyn Fn(usize) + Sync),
            >(f) as Job);
        }
        self.done.store(0, Ordering::Relaxed);
        let generation = (self.ticket.load(Ordering::Relaxed) >> (2 * PART_BITS)) + 1;
        self.ticket.store(
            (generation << (2 * PART_BITS)) | ((parts as u64) << PART_BITS),
            Ordering::Release,
        );
        struct Finish<'t>(&'t Team);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                let claimed = self.0.close();
                self.0.wait_done(claimed);
            }
        }
        // Counts this thread's part as done even when it panics (else `Finish` would wait for it).
        struct Done<'t>(&'t AtomicUsize);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::Release);
            }
        }
        let finish = Finish(self);
        while let Some(part) = self.claim() {
            let done = Done(&self.done);
            f(part);
            drop(done);
        }
        drop(finish);
        if self.poisoned.swap(false, Ordering::AcqRel) {
            panic!("a part of a parallel step panicked on a helper thread");
        }
    }
}

/// Waiting in a team: spin (a step's parts take microseconds), then, past `SPIN`, sleep briefly
/// between checks. A thread of the team that the OS has preempted (another process, a GC thread)
/// waits on its core's run queue while its partner spins on the other core; spinning on, the
/// partner would hold that core until the intruder's slice ends (milliseconds: the tail of a short
/// prompt's latency on a shared 2-core machine). A sleeping partner leaves its core idle, and the
/// scheduler moves the preempted thread there.
struct Backoff {
    spins: u32,
    since: Option<std::time::Instant>,
}

impl Backoff {
    /// Spinning this long before sleeping between checks.
    const SPIN: std::time::Duration = std::time::Duration::from_micros(50);
    /// One sleep between checks once past `SPIN` (the timer adds its slack).
    const NAP: std::time::Duration = std::time::Duration::from_micros(10);

    fn new() -> Self {
        Self {
            spins: 0,
            since: None,
        }
    }

    fn wait(&mut self) {
        self.spins = self.spins.wrapping_add(1);
        if !self.spins.is_multiple_of(64) {
            std::hint::spin_loop();
            return;
        }
        let since = *self.since.get_or_insert_with(std::time::Instant::now);
        if since.elapsed() < Self::SPIN {
            std::hint::spin_loop();
        } else {
            std::thread::sleep(Self::NAP);
        }
    }
}

/// Runs `body` on this thread with the calling rayon pool's other workers spinning as helpers
/// for `for_each` (see the module doc). With a single-thread pool it just runs `body`.
pub(crate) fn with_team<R: Send>(body: impl FnOnce() -> R + Send) -> R {
    let helpers = rayon::current_num_threads().saturating_sub(1);
    if helpers == 0 || in_team() {
        return body();
    }
    let team = Team {
        ticket: AtomicU64::new(0),
        job: UnsafeCell::new(None),
        done: AtomicUsize::new(0),
        poisoned: AtomicBool::new(false),
        stop: AtomicBool::new(false),
    };
    rayon::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| team.help());
        }
        // Stops the helpers and leaves the team when the body returns or unwinds (the scope
        // then waits for the helpers; one not yet started runs and returns at once).
        struct Leave<'t>(&'t Team, *const Team);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.stop.store(true, Ordering::Release);
                CURRENT.with(|c| c.set(self.1));
            }
        }
        let _leave = Leave(&team, CURRENT.with(|c| c.replace(&team)));
        body()
    })
}

/// Whether this thread is running a `with_team` pass.
fn in_team() -> bool {
    CURRENT.with(|c| !c.get().is_null())
}

/// `f(i)` for every `i` in `0..tasks`, in parallel: on this thread's team when inside
/// `with_team`, on the rayon pool otherwise.
pub(crate) fn for_each(tasks: usize, f: impl Fn(usize) + Sync + Send) {
    let team = CURRENT.with(|c| c.get());
    if team.is_null() {
        (0..tasks).into_par_iter().for_each(f);
    } else {
        // SAFETY: CURRENT points at the team of the `with_team` call this thread is inside;
        // it is reset before that team is dropped.
        unsafe { (*team).run(tasks, &f) }
    }
}

/// `f(first, rows)` over `y` (`[m, n]`, row-major) in parts of whole rows from row `first`, in
/// parallel (as `for_each`): for element-wise or row-wise epilogues, whose result for a row does
/// not depend on the split.
pub(crate) fn for_each_rows(y: &mut [f32], n: usize, f: impl Fn(usize, &mut [f32]) + Sync + Send) {
    /// Rows per part at least: a part is worth a hand-off from about 16 KB of work.
    const MIN_ROWS: usize = 4;
    let m = y.len().checked_div(n).unwrap_or(0);
    let parts = (4 * rayon::current_num_threads())
        .min(m.div_ceil(MIN_ROWS))
        .max(1);
    if parts == 1 {
        return f(0, y);
    }
    let per = m.div_ceil(parts);
    let base = crate::kernels::Shared(y.as_mut_ptr());
    for_each(m.div_ceil(per), |i| {
        let rows = per.min(m - i * per);
        // SAFETY: part i owns rows [i * per, i * per + rows) of y, inside its m rows.
        f(i * per, unsafe {
            std::slice::from_raw_parts_mut(base.ptr().add(i * per * n), rows * n)
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    }

    #[test]
    fn row_parts_cover_every_row_once_with_their_first_row() {
        for threads in [1, 2, 3] {
            for m in [0, 1, 5, 19, 100] {
                let n = 7;
                let mut y = vec![0f32; m * n];
                pool(threads).install(|| {
                    let run = |y: &mut [f32]| {
                        for_each_rows(y, n, |first, rows| {
                            for (r, row) in rows.chunks_exact_mut(n).enumerate() {
                                for v in row {
                                    *v += (first + r) as f32 + 1.0;
                                }
                            }
                        })
                    };
                    with_team(|| run(&mut y));
                    run(&mut y);
                });
                for (i, row) in y.chunks_exact(n).enumerate() {
                    assert!(
                        row.iter().all(|&v| v == 2.0 * (i as f32 + 1.0)),
                        "m {m}, row {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_part_runs_once_in_and_out_of_a_team() {
        for threads in [1, 2, 3] {
            pool(threads).install(|| {
                let hits: Vec<AtomicU32> = (0..1000).map(|_| AtomicU32::new(0)).collect();
                let step = |parts: usize| {
                    for_each(parts, |i| {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    })
                };
                with_team(|| {
                    for parts in [0, 1, 2, 7, 1000, 3] {
                        step(parts);
                    }
                });
                step(1000);
                let want = |i: usize| {
                    u32::from(i < 1)
                        + u32::from(i < 2)
                        + u32::from(i < 7)
                        + 2 * u32::from(i < 1000)
                        + u32::from(i < 3)
                };
                for (i, h) in hits.iter().enumerate() {
                    assert_eq!(
                        h.load(Ordering::Relaxed),
                        want(i),
                        "part {i}, {threads} threads"
                    );
                }
            });
        }
    }

    #[test]
    fn a_panicking_part_fails_the_step_and_the_pool_stays_usable() {
        let p = pool(2);
        for _ in 0..20 {
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                p.install(|| {
                    with_team(|| {
                        for_each(64, |i| {
                            if i == 37 {
                                panic!("part 37");
                            }
                        })
                    })
                })
            }));
            assert!(r.is_err());
        }
        let n = AtomicU32::new(0);
        p.install(|| {
            with_team(|| {
                for_each(10, |_| {
                    n.fetch_add(1, Ordering::Relaxed);
                })
            })
        });
        assert_eq!(n.load(Ordering::Relaxed), 10);
        // Whichever worker ran the failed passes has left their teams.
        p.broadcast(|_| assert!(!in_team()));
    }
}
