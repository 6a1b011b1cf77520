// TorchScript export of the MLP: the same layers as MlpImpl::forward, written out as source.
#include "mlp.h"
#include "script_export.h"

#include <torch/script.h>

namespace ds {

torch::jit::Module MlpImpl::exportScript() const
{
    torch::jit::Module m("DiffscopeMlp");
    ScriptWriter w(m);
    w.assign("flat", "x.reshape([x.size(0), -1])");
    w.assign("h", "torch.silu(" + w.linear(*input_, "input", "torch.cat([flat, self.embed(t)], 1)") + ")");
    for (size_t i = 0; i < hidden_->size(); ++i) // h ← h + SiLU(W h)
        w.assign("h", "h + torch.silu(" + w.linear(*hidden_->ptr(i)->as<torch::nn::Linear>(), "hidden" + std::to_string(i), "h") + ")");
    w.define(config_.timeDim, w.linear(*output_, "output", "h") + ".reshape(x.size())");
    return m;
}

} // namespace ds
