/* The witnesses' one macro: call a function of the set (its result goes to a volatile sink, so that no
 * call is dropped). A witness calls each function at most 5 times (gen's --inputs in the bench). */
#ifndef SOLVER_WITNESS_CHECK_H
#define SOLVER_WITNESS_CHECK_H

static volatile double sink;

#define CALL(call) (sink += (double)(call))

#endif
