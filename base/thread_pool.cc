#include "base/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace credmatch {
namespace {

// See the header. Thread safety: try_run() may be called from any thread.
class Pool {
 public:
  static Pool& instance() {
    static Pool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
    return pool;
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  int workers() const { return static_cast<int>(threads_.size()); }

  // Runs task(t) for every t in [0, n) on the workers and the calling thread; tasks must not
  // throw. Returns false, running nothing, when another job holds the pool.
  bool try_run(int64_t n, const std::function<void(int64_t)>& task) {
    std::unique_lock<std::mutex> use(use_, std::try_to_lock);
    if (!use.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(m_);
      task_ = &task;
      tasks_ = n;
      next_ = 0;
      finished_ = 0;
      ++generation_;
    }
    wake_.notify_all();
    int64_t mine = 0;
    for (int64_t t = next_++; t < n; t = next_++, ++mine) task(t);
    std::unique_lock<std::mutex> lock(m_);
    finished_ += mine;
    // Also wait for every worker that joined this job to leave it, so none can pick up a task
    // of the next job with this job's (then dangling) task pointer.
    done_.wait(lock, [&] { return finished_ == tasks_ && active_ == 0; });
    task_ = nullptr;
    return true;
  }

 private:
  explicit Pool(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }

  void work() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || (generation_ != seen && task_ != nullptr); });
      if (stop_) return;
      seen = generation_;
      const std::function<void(int64_t)>* task = task_;
      const int64_t n = tasks_;
      ++active_;
      lock.unlock();
      int64_t mine = 0;
      for (int64_t t = next_++; t < n; t = next_++, ++mine) (*task)(t);
      lock.lock();
      finished_ += mine;
      --active_;
      done_.notify_all();
    }
  }

  std::mutex use_;  // held by the caller whose job runs
  std::mutex m_;    // guards everything below except next_
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* task_ = nullptr;
  int64_t tasks_ = 0;
  int64_t finished_ = 0;
  int active_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> next_{0};
  std::vector<std::thread> threads_;
};

}  // namespace

void run_parallel(int64_t tasks, const std::function<void(int64_t)>& task) {
  if (tasks <= 0) return;
  if (tasks == 1) {
    task(0);
    return;
  }
  // The pool's tasks must not throw: each task's exception waits here until all have run.
  std::vector<std::exception_ptr> errors(static_cast<size_t>(tasks));
  const std::function<void(int64_t)> caught = [&](int64_t t) {
    try {
      task(t);
    } catch (...) {
      errors[static_cast<size_t>(t)] = std::current_exception();
    }
  };
  if (!Pool::instance().try_run(tasks, caught)) {
    for (int64_t t = 0; t < tasks; ++t) caught(t);
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

bool try_run_on_pool(int64_t n, const std::function<void(int64_t)>& task) {
  return Pool::instance().try_run(n, task);
}

int pool_workers() { return Pool::instance().workers(); }

}  // namespace credmatch
