#include "cpu_stream.h"

#include <utility>

namespace gru {

CpuStream::~CpuStream() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    taskDone_.wait(lock, [&] { return completed_ == enqueued_; });
    stopping_ = true;
  }
  workAvailable_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void CpuStream::enqueue(Task task, bool inlineWhenIdle) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (inlineWhenIdle && queue_.empty() && !executing_) {
      queue_.push_back(std::move(task));
      ++enqueued_;
      runFront(lock);  // in order: nothing is queued before it
      return;
    }
    if (!worker_.joinable()) worker_ = std::thread([this] { workerLoop(); });
    queue_.push_back(std::move(task));
    ++enqueued_;
  }
  workAvailable_.notify_one();
}

void CpuStream::runFront(std::unique_lock<std::mutex>& lock) {
  Task task = std::move(queue_.front());
  queue_.pop_front();
  executing_ = true;
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

bool CpuStream::idle() {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ == enqueued_;
}

std::exception_ptr CpuStream::takeError() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(error_, nullptr);
}

}  // namespace gru
