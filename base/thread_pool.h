// The process-wide pool of worker threads every parallel loop of credmatch runs on: sharded
// scans, batched graph searches, the matcher's encoding and rescoring, catalog encoding.
//
// The workers (hardware_concurrency() - 1 of them, started on first use) are kept for the
// whole process, so a parallel loop costs a wake-up (tens of microseconds) rather than a thread
// start. They wait on a condition variable (passive: no spinning that would steal a core from
// the caller or from OpenBLAS). One loop holds the pool at a time; a caller that finds it busy
// runs its tasks on its own thread, so nested or concurrent loops never deadlock.
//
// Thread safety: both functions may be called from any thread, including from inside a task.
#pragma once

#include <cstdint>
#include <functional>

namespace credmatch {

/// Runs task(t) for every t in [0, tasks) on the pool's workers plus the calling thread; when
/// another call holds the pool, the calling thread runs every task itself. If tasks throw,
/// every task still runs, then the exception of the lowest t is rethrown here.
void run_parallel(int64_t tasks, const std::function<void(int64_t)>& task);

/// Runs task(t) for every t in [0, n) on the workers and the calling thread; tasks must not
/// throw. Returns false, running nothing, when another call holds the pool.
bool try_run_on_pool(int64_t n, const std::function<void(int64_t)>& task);

/// Number of worker threads (hardware_concurrency() - 1, at least 0).
int pool_workers();

}  // namespace credmatch
