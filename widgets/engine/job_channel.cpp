#include "job_channel.h"

namespace ds {

std::shared_ptr<JobChannel> makeJobChannel()
{
    // deleteLater() is safe from any thread: the deletion happens on the channel's own thread.
    return std::shared_ptr<JobChannel>(new JobChannel, [](JobChannel* c) { c->deleteLater(); });
}

} // namespace ds
