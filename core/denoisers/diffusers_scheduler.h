#pragma once
// diffusers' `scheduler_config.json` (DDPMScheduler, DDIMScheduler, PNDMScheduler,
// DPMSolverMultistepScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler and
// others with the same fields) mapped onto diffscope's schedule, prediction and sampler options.
#include "core/samplers/sampler.h"
#include "core/schedule.h"
#include "prediction.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ds {

struct DiffusersScheduler {
    std::string className;          // "_class_name", e.g. "DDPMScheduler"
    ScheduleSpec schedule;          // the training schedule (betas or ᾱ table as diffscope sees it)
    Prediction prediction = Prediction::Epsilon; // prediction_type: epsilon | sample → X0 | v_prediction → V
    SamplerOptions defaults;        // spacing (+ stepsOffset), clip (clipDenoised + clipRange), dynamic
                                    // thresholding (dynamicThreshold, thresholdQuantile, thresholdMax), sigma
                                    // mode (variance_type fixed_small → Small, fixed_large → Large), eta 0
    std::string sampler;            // the registry name matching the class: DDPMScheduler → "ddpm",
                                    // DDIMScheduler → "ddim", DPMSolverMultistepScheduler → "dpmpp-2m",
                                    // EulerDiscreteScheduler → "euler", EulerAncestralDiscreteScheduler →
                                    // "euler-ancestral", PNDMScheduler → "ddim" (say so in notes), other → "ddim"
    std::vector<std::string> notes; // what was defaulted, mapped approximately or ignored (one line each)
};

// Throws ds::Error naming the file and the field for anything refused (variance_type learned /
// learned_range, unknown beta_schedule, trained_betas of the wrong length, bad JSON).
DiffusersScheduler readDiffusersScheduler(const std::string& path);
DiffusersScheduler diffusersSchedulerFromJson(const nlohmann::json& j, const std::string& where);

} // namespace ds
