// Many exceptions through frames with stack objects and heap allocations: the stack pointer is restored
// at each catch (a local's address is the same every iteration), exception objects are freed.
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct Buf {
  char data[64];
  int *heap;
  Buf(int k) : heap(new int[4]) {
    memset(data, k, sizeof data);
    heap[0] = k;
  }
  ~Buf() { delete[] heap; }
};

struct Big {
  char payload[200];
  int n;
};

static int work(int depth, int k) {
  Buf b(k);
  char local[128];
  memset(local, depth, sizeof local);
  if (depth == 0) {
    if (k % 5 == 0) {
      Big big;
      big.n = k;
      memset(big.payload, 'z', sizeof big.payload);
      throw big;
    }
    if (k % 7 == 0) throw k;
    return b.heap[0] + local[0];
  }
  return work(depth - 1, k) + local[3];
}

int main() {
  long total = 0;
  int caughtBig = 0, caughtInt = 0;
  void *first = nullptr;
  for (int k = 0; k < 20000; k++) {
    int marker = k;
    if (first == nullptr) first = &marker;
    if ((void *)&marker != first) {
      printf("stack pointer moved at %d\n", k);
      return 1;
    }
    try {
      total += work(k % 9, k);
    } catch (const Big &b) {
      caughtBig++;
      total += b.n + b.payload[10];
    } catch (int v) {
      caughtInt++;
      total -= v;
    }
  }
  printf("total=%ld big=%d int=%d\n", total, caughtBig, caughtInt);
  return 0;
}
