// async.h
// -----------------------------------------------------------------------------
//
// Everything of primitives/async in one include: C++20 coroutine tasks on a
// runtime, the counterpart of Rust's async/await with tokio.
//
//   task.h     Task<T>, EmptyTaskError                    (async fn, .await)
//   runtime.h  Runtime, spawn, JoinHandle<T>, JoinError,   (tokio::runtime, tokio::spawn,
//              yield_now                                    task::yield_now)
//   join.h     join_all / when_all                         (tokio::join!, join_all)
//   sleep.h    sleep_for, sleep_until                      (tokio::time)
//   mutex.h    async::Mutex<T>, async::MutexGuard<T>       (tokio::sync::Mutex)
//   channel.h  async::channel, unbounded_channel           (tokio::sync::mpsc)
//   stream.h   Stream<T> / AsyncGenerator<T>, iter         (tokio_stream)
//
// Rust equivalent (seed 002):
//
//   #[tokio::main]                                  // Task<void> async_main() {
//   async fn main() {                               //   auto h = spawn(fetch_data(2));
//       let h = tokio::spawn(fetch_data(2));        //   auto r = co_await h;
//       let r = h.await.unwrap();                   // }
//   }                                               // int main() { Runtime().block_on(async_main()); }

#ifndef RACELINGS_PRIMITIVES_ASYNC_ASYNC_H_
#define RACELINGS_PRIMITIVES_ASYNC_ASYNC_H_

#include "primitives/async/channel.h"
#include "primitives/async/join.h"
#include "primitives/async/mutex.h"
#include "primitives/async/runtime.h"
#include "primitives/async/sleep.h"
#include "primitives/async/stream.h"
#include "primitives/async/task.h"

#endif  // RACELINGS_PRIMITIVES_ASYNC_ASYNC_H_
