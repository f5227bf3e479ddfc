import { setup } from '../setup.js';

/**
 * The OOM killer picks the process a device mirrors (the OOM reaper once
 * unmapped without telling secondary MMUs and corrupted KVM guests). In `v6` the reaper
 * unmaps the victim's private memory first with **non-blockable** ranges: a driver must
 * not sleep there — take its lock with a trylock and answer `-EAGAIN` (then the reaper
 * retries HZ/10 later), or only take spinlocks. Then the victim exits (`release`); the
 * 2008 eras had no reaper, the victim just exits. Reads only, values unchecked: after
 * the reap a device fault finds fresh zero pages until the exit. Windows: the device
 * accessed the mapping, then the reaper's non-blockable unmap reached the driver; or
 * the kill's teardown did (`release` or an interval invalidation from the `oom_reaper`
 * task, every era — not the driver's own `detach`, whose unregister calls `release` too).
 *
 * Deliberate differences from mainline (see `outOfMemory`): the reaper runs at once
 * (not after `OOM_REAPER_DELAY`) and before the victim's exit, so the reap always races
 * the device; the victim's own tasks, had it any, would find no mm (EINVAL).
 */
export const OOM_KILL_VS_DEVICE_ACCESS = `name: oom-kill-vs-device-access
description: the OOM killer reaps and kills app while the device reads its memory
schedule:
  strategy: random
  preempt: [device, yield, lock, spin]
${setup({ processes: ['app', 'allocator'], mappings: [{ name: 'buf', pages: 2, fill: 90 }] })}
tasks:
  - name: oom
    process: allocator
    steps:
      - op: oom-kill
        label: killed
        victim: app
        await: { kind: access, device: gpu }
  - name: engine
    driver: gpu
    steps:
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
      - op: yield
      - op: device-read
        at: buf[0]
        allow: [EFAULT, EINVAL]
      - op: device-read
        at: buf[1]
        allow: [EFAULT, EINVAL]
        after: killed
      - op: detach
windows:
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
  - name: access-then-kill
    pattern:
      - kind: access
        device: gpu
      - kind: callback
        callback: [release, interval_invalidate]
        driver: gpu
        task: oom_reaper
`;
