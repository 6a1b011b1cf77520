#pragma once
// Parses small "head?key=value&key=value" strings, e.g. "oracle:fashion-mnist?n=2000".
#include <map>
#include <string>
#include <vector>

namespace ds {

class SpecString {
public:
    explicit SpecString(const std::string& text);

    const std::string& text() const { return text_; }
    const std::string& head() const { return head_; }
    bool has(const std::string& key) const { return params_.count(key) != 0; }
    std::string get(const std::string& key, const std::string& fallback) const;
    double getDouble(const std::string& key, double fallback) const;
    int64_t getInt(const std::string& key, int64_t fallback) const;
    // Throws ds::Error for a key not in `known`, naming the valid ones.
    void requireKnownKeys(const std::vector<std::string>& known) const;

private:
    std::string text_;
    std::string head_;
    std::map<std::string, std::string> params_;
};

} // namespace ds
