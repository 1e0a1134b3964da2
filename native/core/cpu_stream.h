// The CPU device's in-order execution stream: ops are queued from the JS thread and run one at
// a time, in order, on a dedicated worker thread. A thread that must wait for results
// (dataSync) runs queued tasks itself while the worker is idle, so a blocking read of a small op
// costs no thread hand-off.
//
// Note [CPU stream backpressure]
// A queued task holds the storages it captured, so what JS has disposed stays allocated until
// the task runs. A loop that queues work faster than the worker runs it (a training loop that
// never reads a value, as PyTorch programs are written) would grow the queue, and memory,
// without bound. enqueue() therefore waits, helping to run tasks as synchronize() does, while
// kMaxQueuedTasks are queued: a run-ahead of a few training steps, as CUDA's launch queue allows.
//
// Note [CPU stream at process exit]
// process.exit() runs the C library's exit handlers while the worker may still be inside
// OpenBLAS; OpenBLAS's own destructor then joins its idle threads and can deadlock against the
// worker. Every stream therefore registers with an exit handler (atexit, registered after
// OpenBLAS was loaded, so it runs before libraries unload) that drops the queued tasks, waits
// for the running one and joins the worker.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace gru {

class CpuStream {
 public:
  using Task = std::function<void()>;

  CpuStream();
  ~CpuStream();  // drains the queue, then joins the worker
  CpuStream(const CpuStream&) = delete;
  CpuStream& operator=(const CpuStream&) = delete;

  // Queues a task; it must capture (by value) every storage it touches. With `inlineWhenIdle`,
  // a task that finds the stream idle runs at once on the calling thread instead: for ops of a
  // few microseconds, waking the worker and waiting for it would cost more than the op.
  void enqueue(Task task, bool inlineWhenIdle = false);

  // Blocks until every task queued so far has run.
  void synchronize();

  // The first failure of a task since the last call, or null. Tasks after a failure still run
  // (their inputs were validated, so they cannot fault), and the error surfaces at the next sync.
  std::exception_ptr takeError();

  // Note [CPU stream at process exit]: drops what is queued, waits for the running task, joins.
  void shutdownForExit();

  // Note [CPU stream backpressure].
  static constexpr size_t kMaxQueuedTasks = 256;

 private:
  void workerLoop();
  // Runs the front task; called with `lock` held, returns with it held.
  void runFront(std::unique_lock<std::mutex>& lock);
  // Runs or waits for queued tasks until fewer than kMaxQueuedTasks are queued; `lock` held.
  void waitForRoom(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable workAvailable_;
  std::condition_variable taskDone_;
  std::deque<Task> queue_;
  bool executing_ = false;
  std::thread::id executingThread_;  // who runs the task while executing_
  bool stopping_ = false;
  bool exited_ = false;  // shutdownForExit ran: tasks are dropped
  uint64_t enqueued_ = 0;
  uint64_t completed_ = 0;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace gru
