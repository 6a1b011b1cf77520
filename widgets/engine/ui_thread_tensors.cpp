#include "ui_thread_tensors.h"

#include <ATen/Parallel.h>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ds {

void keepTensorOpsSerialOnThisThread()
{
    at::get_num_threads(); // ATen sets each thread's OpenMP count lazily on first use: do that first
#if defined(_OPENMP)
    omp_set_num_threads(1); // this thread's regions only; at::parallel_for then runs inline
#endif
}

} // namespace ds
