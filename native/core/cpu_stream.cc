#include "cpu_stream.h"

#include <cstdlib>
#include <set>
#include <utility>

namespace gru {
namespace {

// Live streams, for the exit handler. Never destroyed: exit handlers may run after statics.
std::mutex& registryMutex() {
  static std::mutex* mutex = new std::mutex();
  return *mutex;
}
std::set<CpuStream*>& registry() {
  static std::set<CpuStream*>* streams = new std::set<CpuStream*>();
  return *streams;
}

void shutdownAllStreams() {
  std::lock_guard<std::mutex> lock(registryMutex());
  for (CpuStream* stream : registry()) stream->shutdownForExit();
}

}  // namespace

CpuStream::CpuStream() {
  static const bool registered = (std::atexit(shutdownAllStreams), true);
  (void)registered;
  std::lock_guard<std::mutex> lock(registryMutex());
  registry().insert(this);
}

CpuStream::~CpuStream() {
  {
    std::lock_guard<std::mutex> lock(registryMutex());
    registry().erase(this);
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    taskDone_.wait(lock, [&] { return completed_ == enqueued_; });
    stopping_ = true;
  }
  workAvailable_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void CpuStream::shutdownForExit() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    exited_ = true;
    stopping_ = true;
    completed_ += queue_.size();  // dropped, so that nothing waits for them
    queue_.clear();
    taskDone_.wait(lock, [&] { return !executing_; });
  }
  taskDone_.notify_all();
  workAvailable_.notify_all();
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

void CpuStream::enqueue(Task task, bool inlineWhenIdle) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (exited_) return;  // the process is exiting: nobody will read the result
    if (inlineWhenIdle && queue_.empty() && !executing_) {
      queue_.push_back(std::move(task));
      ++enqueued_;
      runFront(lock);  // in order: nothing is queued before it
      return;
    }
    if (!worker_.joinable()) worker_ = std::thread([this] { workerLoop(); });
    waitForRoom(lock);
    if (exited_) return;
    queue_.push_back(std::move(task));
    ++enqueued_;
  }
  workAvailable_.notify_one();
}

void CpuStream::runFront(std::unique_lock<std::mutex>& lock) {
  Task task = std::move(queue_.front());
  queue_.pop_front();
  executing_ = true;
  executingThread_ = std::this_thread::get_id();
  lock.unlock();
  std::exception_ptr failure;
  try {
    task();
  } catch (...) {
    failure = std::current_exception();
  }
  task = nullptr;  // drop captured storages before reporting completion
  lock.lock();
  if (failure && !error_) error_ = failure;
  executing_ = false;
  ++completed_;
  taskDone_.notify_all();
  if (!queue_.empty()) workAvailable_.notify_one();
}

void CpuStream::waitForRoom(std::unique_lock<std::mutex>& lock) {
  // A task that queues another (none does today) must not wait for itself.
  if (executing_ && executingThread_ == std::this_thread::get_id()) return;
  while (queue_.size() >= kMaxQueuedTasks && !exited_) {
    if (!executing_) {
      runFront(lock);  // the worker is between tasks: run one here
    } else {
      taskDone_.wait(lock);
    }
  }
}

void CpuStream::workerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    workAvailable_.wait(lock, [&] { return stopping_ || (!queue_.empty() && !executing_); });
    if (queue_.empty() || executing_) {
      if (stopping_) return;
      continue;
    }
    runFront(lock);
  }
}

void CpuStream::synchronize() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = enqueued_;
  while (completed_ < target) {
    if (!executing_ && !queue_.empty()) {
      runFront(lock);  // the worker is asleep or between tasks: do the work here
    } else {
      taskDone_.wait(lock);
    }
  }
}

std::exception_ptr CpuStream::takeError() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(error_, nullptr);
}

}  // namespace gru
