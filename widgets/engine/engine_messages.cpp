#include "engine_messages.h"

namespace ds {

void registerEngineMetaTypes()
{
    qRegisterMetaType<FramePacket>();
    qRegisterMetaType<RunSummary>();
    qRegisterMetaType<RoundPacket>();
    qRegisterMetaType<ModelSummary>();
    qRegisterMetaType<TrajectoryPacket>();
    qRegisterMetaType<ModelPacket>();
}

} // namespace ds
