/**
 * The OOM reaper's non-blockable unmap reaches the driver while a device access or
 * fault holds the driver's lock. The reaper may not sleep there: a driver whose lock
 * sleeps takes it with a trylock (`mutex_trylock`, as test_hmm's
 * `dmirror_interval_invalidate` does) and, finding it held, answers false / `-EAGAIN`
 * without touching its mirror — the reaper skips the vma (`__oom_reap_task_mm`) and
 * retries HZ/10 later. A driver whose lock is a spinlock (KVM's `mmu_lock`) spins
 * instead. Answering success when the trylock failed leaves a translation to pages the
 * reaper then frees.
 *
 * A short critical section (lock, look up or check, install or use, unlock) has no
 * preemption point of its own, so the reaper finds the lock held only where the
 * holder is switched out inside it: the schedule preempts at the `held` points (right
 * after an acquire, right before a release) and at the OOM task's explicit yields,
 * which only vary when the kill starts, once the device has read the buffer. Under fifo the engine runs to its end before
 * the reaper does, and no window is hit. Windows: the reaper's
 * non-blockable invalidation failed (the trylock found the lock held); or it came
 * after a device access, before the engine was done (all a spinning driver shows).
 * v6 only: the 2008 eras had no reaper.
 */
export const REAP_VS_HELD_DRIVER_LOCK = `name: reap-vs-held-driver-lock
description: the OOM reaper's non-blockable unmap finds the driver lock held by a device access
eras: [v6]
schedule:
  strategy: random
  preempt: [held, yield]
processes:
  - name: app
  - name: allocator
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
    fill: 90
drivers:
  - name: gpu
    process: app
tasks:
  - name: oom
    process: allocator
    steps:
      # Once the device has accessed the buffer (an event, so any device latency keeps the race).
      - op: yield
        await: { kind: access, device: gpu, at: "buf[0]" }
      - op: yield
      - op: oom-kill
        victim: app
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      # Points outside the driver's lock: where a driver without one (sharing the CPU
      # page table) can meet the reaper; they cannot make a trylock fail.
      - op: yield
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
      - op: yield
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: detach
windows:
  - name: reap-finds-lock-held
    pattern:
      - kind: callback
        callback: [invalidate_range_start, interval_invalidate]
        driver: gpu
        event: unmap
        blockable: false
        failed: true
        task: oom_reaper
  - name: access-then-reap
    pattern:
      - kind: access
        device: gpu
      - kind: callback
        callback: [invalidate_range_start, interval_invalidate]
        driver: gpu
        event: unmap
        blockable: false
        task: oom_reaper
`;
