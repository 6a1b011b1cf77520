// "head?key=value" specs: parsing, typed access, unknown keys.
#include "core/denoisers/spec_string.h"
#include "models/error.h"
#include "tests/support/tensor_asserts.h"
#include "tests/support/test_registry.h"

using namespace ds;

class SpecStringTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesKeysAndTypes()
    {
        SpecString s("fashion-mnist?n=2000&schedule=cosine&gamma=2.5");
        QCOMPARE(s.head(), std::string("fashion-mnist"));
        QCOMPARE(s.getInt("n", 0), 2000);
        QCOMPARE(s.get("schedule", ""), std::string("cosine"));
        QCOMPARE(s.getDouble("gamma", 0), 2.5);
        QCOMPARE(s.getInt("T", 77), 77);
        QCOMPARE(SpecString("two-moons").head(), std::string("two-moons"));
    }

    void badValuesAreNamed()
    {
        SpecString s("x?n=12abc&g=zz");
        DS_EXPECT_ERROR(s.getInt("n", 0), "n must be an integer, got '12abc'");
        DS_EXPECT_ERROR(s.getDouble("g", 0), "g must be a number");
        DS_EXPECT_ERROR(s.requireKnownKeys({"n"}), "unknown key 'g'");
        DS_EXPECT_ERROR(SpecString("x?novalue"), "expected key=value");
    }
};

DS_TEST_SUITE(SpecStringTest, "spec_string");
#include "test_spec_string.moc"
