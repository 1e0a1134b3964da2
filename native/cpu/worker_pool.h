// Helper threads for the CPU GRU's own thread split (Note [GRU thread split] in gru_split.h).
// The pool keeps its threads between calls, blocked on a condition variable, so a split costs a
// wake-up instead of a thread start, and idle helpers take no CPU time.
#pragma once
#include <cstdint>
#include <functional>

namespace gru {
namespace cpu {

// Runs task(part) for every part in [0, parts): part 0 on the calling thread, the others on
// helpers. Returns when all have finished. Tasks must not throw. While another thread's split is
// running (Node worker threads), the caller runs every part itself, in order.
void runParts(int parts, const std::function<void(int)>& task);

// Runs the parts side by side, one thread each, and returns true; or, where that cannot be had
// (a split already running, or parts < 2), runs nothing and returns false. For parts that wait
// on each other, which would deadlock if run in turn.
bool runPartsSideBySide(int parts, const std::function<void(int)>& task);

// How many runParts calls have run their parts side by side, since the process started (tests
// read it through cpuInfo to see that a split happened).
uint64_t sideBySideRuns();

// Step teams (step_team.h) that dissolved on a busy machine: counted by their leaders, read by
// tests through cpuInfo.
void countDissolvedTeam();
uint64_t dissolvedTeams();

}  // namespace cpu
}  // namespace gru
