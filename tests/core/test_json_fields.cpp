// models/json_fields.h and the loaders that read outside JSON through it: a syntax error (a
// truncated file), a field of the wrong type, a missing field or a value out of range is one
// ds::Error line naming the file and the field, never an nlohmann exception or a silent default.
#include "core/control_point_schedule.h"
#include "core/denoisers/diffusers_scheduler.h"
#include "core/denoisers/torchscript_denoiser.h"
#include "core/instruments/manifest.h"
#include "core/io/checkpoint.h"
#include "models/json_fields.h"
#include "core/schedule.h"
#include "core/training/training_config.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

#include <QTemporaryDir>

#include <fstream>

using namespace ds;
using nlohmann::json;

namespace {

// Runs `load` and checks it throws one ds::Error line that contains every piece of `parts`.
template <class Load>
void expectOneLine(Load&& load, std::initializer_list<std::string> parts)
{
    try {
        load();
    } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        for (const auto& part : parts)
            QVERIFY2(message.find(part) != std::string::npos, (message + " lacks " + part).c_str());
        return;
    }
    QFAIL("no ds::Error");
}

json checkpointHeader()
{
    CheckpointHeader h;
    h.network = {{"kind", "mlp"}};
    return toJson(h);
}

json manifest()
{
    Manifest m;
    m.program = "diffscope-cli";
    m.commandLine = {"diffscope-cli", "sample"};
    m.command = "sample";
    m.checkpoint = "oracle:gaussian";
    m.device = "cpu";
    m.libtorch = "1.13";
    m.outputs = {{"--out", "", "a.npy", std::string(64, '0')}};
    return toJson(m);
}

} // namespace

class JsonFieldsTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const char* name, const std::string& text)
    {
        const auto path = dir_.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    // The first half of `j` as text: a truncated file.
    std::string truncated(const char* name, const json& j)
    {
        const auto text = j.dump(2);
        return write(name, text.substr(0, text.size() / 2));
    }

private Q_SLOTS:
    void fieldsAreCheckedByTypeAndRange()
    {
        const json j = {{"n", 3}, {"x", 0.5}, {"s", "a"}, {"b", true}, {"big", 1e300}, {"list", {1, 2}}, {"u", 18446744073709551615ULL}};
        const JsonFields f(j, "f.json");
        QCOMPARE(f.integer("n", 0, 1, 5), int64_t(3));
        QCOMPARE(f.integer("absent", 7), int64_t(7));
        QCOMPARE(f.number("n", 0), 3.0); // an integer is a number
        QCOMPARE(f.string("s", ""), std::string("a"));
        QCOMPARE(f.boolean("b", false), true);
        QCOMPARE(f.integers("list", {}, 1, 3, 0, 9), (std::vector<int64_t>{1, 2}));
        expectOneLine([&] { f.integer("x", 0); }, {"f.json: x must be an integer, not 0.5"});
        expectOneLine([&] { f.integer("big", 0); }, {"big must be an integer"});        // no unchecked cast
        expectOneLine([&] { f.integer("u", 0); }, {"u must be an integer"});            // no wrap to −1
        expectOneLine([&] { f.integer("n", 0, 4, 9); }, {"n must be an integer in 4..9, not 3"});
        expectOneLine([&] { f.number("s", 0); }, {"s must be a number, not \"a\""});
        expectOneLine([&] { f.string("n", ""); }, {"n must be a string, not 3"});
        expectOneLine([&] { f.boolean("s", false); }, {"s must be true or false"});
        expectOneLine([&] { f.requiredString("gone"); }, {"f.json: gone is missing"});
        expectOneLine([&] { JsonFields(json::array(), "g.json"); }, {"g.json must be a JSON object, not []"});
        expectOneLine([&] { f.onlyKeys({"n"}); }, {"is not a known field"});
    }

    void syntaxErrorsNameTheFile()
    {
        expectOneLine([&] { parseJson("{\"a\": ", "t.json"); }, {"t.json: not valid JSON: ", "syntax error"});
        expectOneLine([&] { readJsonFile(write("cut.json", "{\"a\": [1, 2")); }, {"cut.json: not valid JSON"});
        expectOneLine([&] { readJsonFile(dir_.filePath("none.json").toStdString()); }, {"none.json: cannot open"});
        QCOMPARE(readJsonFile(write("ok.json", "{\"a\": 1}"))["a"].get<int>(), 1);
    }

    // .dsckpt header (loadCheckpoint, readCheckpointHeader).
    void checkpointHeaderFieldsAreNamed()
    {
        auto bad = [](const json& patch) {
            auto j = checkpointHeader();
            j.merge_patch(patch);
            return j;
        };
        QCOMPARE(checkpointHeaderFromJson(checkpointHeader(), "h.dsckpt").kind, std::string("denoiser"));
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"kind", 5}}), "h.dsckpt"); }, {"h.dsckpt: header: kind must be a string"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"version", "1"}}), "h.dsckpt"); }, {"h.dsckpt", "version must be an integer"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"step", "many"}}), "h.dsckpt"); }, {"h.dsckpt", "step must be an integer"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"training_state", "yes"}}), "h.dsckpt"); },
                      {"h.dsckpt", "training_state must be true or false"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"data_range", "wide"}}), "h.dsckpt"); },
                      {"h.dsckpt", "data_range must be [lo, hi]"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"shape", {1, 28.5, 28}}}), "h.dsckpt"); }, {"h.dsckpt", "shape must be"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"dataset", 3}}), "h.dsckpt"); }, {"h.dsckpt", "dataset must be a string"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"extra", 3}}), "h.dsckpt"); }, {"h.dsckpt", "extra must be an object"});
        expectOneLine([&] { checkpointHeaderFromJson(bad({{"training", "x"}}), "h.dsckpt"); }, {"h.dsckpt", "training must be an object"});
        auto missing = checkpointHeader();
        missing.erase("prediction");
        expectOneLine([&] { checkpointHeaderFromJson(missing, "h.dsckpt"); }, {"h.dsckpt: header: prediction is missing"});
    }

    // A TorchScript file's diffscope.json extra file.
    void diffscopeJsonFieldsAreNamed()
    {
        const json good = {{"format", 1}, {"prediction", "epsilon"}, {"schedule", {{"kind", "linear"}, {"T", 10}}}, {"shape", {1, 4, 4}}};
        QCOMPARE(parseDiffscopeHeader(good.dump(), "m.pt").shape[1], int64_t(4));
        auto bad = [&](const json& patch) {
            auto j = good;
            j.merge_patch(patch);
            return j.dump();
        };
        expectOneLine([&] { parseDiffscopeHeader(bad({{"dataset", 5}}), "m.pt"); }, {"m.pt: diffscope.json: dataset must be a string"});
        expectOneLine([&] { parseDiffscopeHeader(bad({{"format", 4294967297LL}}), "m.pt"); }, {"m.pt", "format 4294967297 is not supported"});
        expectOneLine([&] { parseDiffscopeHeader(bad({{"prediction", 1}}), "m.pt"); }, {"m.pt", "prediction must be a string"});
        expectOneLine([&] { parseDiffscopeHeader(good.dump().substr(0, 30), "m.pt"); }, {"m.pt: diffscope.json: not valid JSON"});
    }

    // A schedule object (checkpoint headers, diffscope.json, training configs, --schedule).
    void scheduleFieldsAreNamed()
    {
        expectOneLine([&] { scheduleSpecFromJson({{"kind", "linear"}, {"T", "1000"}}, "s.json"); }, {"s.json: schedule: T must be an integer"});
        expectOneLine([&] { scheduleSpecFromJson({{"kind", "linear"}, {"T", 10}, {"beta_start", "small"}}, "s.json"); },
                      {"s.json", "beta_start must be a number"});
        expectOneLine([&] { scheduleSpecFromJson({{"kind", "cosine"}, {"T", 10}, {"rescale_zero_terminal_snr", 1}}, "s.json"); },
                      {"s.json", "rescale_zero_terminal_snr must be true or false"});
        expectOneLine([&] { scheduleSpecFromJson({{"kind", "betas"}, {"betas", {0.1, "x"}}}, "s.json"); },
                      {"s.json", "betas holds a non-number at [1]: \"x\""});
        expectOneLine([&] { scheduleSpecFromJson({{"kind", 3}, {"T", 10}}, "s.json"); }, {"s.json", "kind must be a string"});
    }

    // replay's manifests (<output>.manifest.json).
    void manifestFieldsAreNamed()
    {
        QCOMPARE(manifestFromJson(manifest(), "m.json").command, std::string("sample"));
        auto bad = [](const json& patch) {
            auto j = manifest();
            j.merge_patch(patch);
            return j;
        };
        expectOneLine([&] { manifestFromJson(bad({{"program", 5}}), "m.json"); }, {"m.json: program must be a string"});
        expectOneLine([&] { manifestFromJson(bad({{"version", "1"}}), "m.json"); }, {"m.json: version must be an integer"});
        expectOneLine([&] { manifestFromJson(bad({{"command_line", {"a", 2}}}), "m.json"); }, {"m.json: command_line must be a list of strings"});
        expectOneLine([&] { manifestFromJson(bad({{"checkpoint", {{"spec", 1}}}}), "m.json"); }, {"m.json: checkpoint: spec must be a string"});
        auto j = manifest();
        j["outputs"][0].erase("path");
        expectOneLine([&] { manifestFromJson(j, "m.json"); }, {"m.json: outputs[0]: path is missing"});
        expectOneLine([&] { loadManifest(truncated("cut.manifest.json", manifest())); }, {"cut.manifest.json: not valid JSON"});
    }

    // Control-point log-SNR schedules (the schedule editor's files, --schedule-points).
    void controlPointFieldsAreNamed()
    {
        const json good = {{"T", 100}, {"control_points", {{1.0, 8.0}, {100.0, -8.0}}}};
        QCOMPARE(controlPointScheduleFromJson(good, "c.json").T, int64_t(100));
        auto j = good;
        j["interpolation"] = 3;
        expectOneLine([&] { controlPointScheduleFromJson(j, "c.json"); }, {"c.json: interpolation must be a string"});
    }

    // Training configs (train --config, checkpoint headers' "training").
    void trainingConfigFieldsAreNamed()
    {
        expectOneLine([&] { trainingConfigFromJson({{"lr", "fast"}}, "t.json"); }, {"t.json: lr must be a number, not \"fast\""});
        expectOneLine([&] { trainingConfigFromJson({{"mixed_precision", "no"}}, "t.json"); }, {"t.json: mixed_precision must be true or false"});
        expectOneLine([&] { trainingConfigFromJson({{"name", 1}}, "t.json"); }, {"t.json: name must be a string"});
        expectOneLine([&] { trainingConfigFromJson({{"steps", 1.5}}, "t.json"); }, {"t.json: steps must be an integer"});
    }

    // diffusers' scheduler_config.json (its own field reader, already checked): a truncated file.
    void diffusersSchedulerFileIsNamed()
    {
        expectOneLine([&] { readDiffusersScheduler(write("scheduler_config.json", "{\"beta_start\": 0.0001, \"beta_")); },
                      {"scheduler_config.json: not valid JSON"});
        expectOneLine([&] { readDiffusersScheduler(write("s2.json", "{\"beta_start\": \"small\"}")); }, {"s2.json", "beta_start"});
    }
};

DS_TEST_SUITE(JsonFieldsTest, "json_fields");
#include "test_json_fields.moc"
