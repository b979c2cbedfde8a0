// Off-main-thread work that resolves a Promise. `work` runs on the libuv
// thread pool and must not touch napi values; it records failures in the
// PendingError it is given. `done` turns the result into a JS value on the
// main thread.
#pragma once
#include <napi.h>

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "common/errors.h"

namespace jsec {

template <typename R>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<R(PendingError&)>;
  using Done = std::function<Napi::Value(Napi::Env, R&)>;

  PromiseWorker(Napi::Env env, const char* name, Work work, Done done)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), done_(std::move(done)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    ErrorQueueGuard guard;
    // A C++ exception here (std::bad_alloc for a huge input) would reach
    // AsyncWorker::OnError, which settles nothing: the Promise would never
    // resolve. Record it as the work's failure instead.
    try {
      result_ = work_(error_);
    } catch (const std::exception& e) {
      error_.Capture("ERR_JSEC_INTERNAL", std::string("native work failed: ") + e.what(), false);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (error_.set) {
      deferred_.Reject(error_.ToError(env).Value());
      return;
    }
    try {
      deferred_.Resolve(done_(env, result_));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  Done done_;
  R result_{};
  PendingError error_;
};

template <typename R>
Napi::Promise RunAsync(Napi::Env env, const char* name, typename PromiseWorker<R>::Work work,
                       typename PromiseWorker<R>::Done done) {
  auto* w = new PromiseWorker<R>(env, name, std::move(work), std::move(done));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace jsec
