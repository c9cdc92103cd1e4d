#include "kernel/store/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchboard::kernel::store {
namespace {

namespace fs = std::filesystem;

// A SQLite file of its own, removed afterwards.
class SqliteDatabase : public ::testing::Test {
protected:
    SqliteDatabase() : dir_(fs::temp_directory_path() / ("switchboard-db-test-" + std::to_string(::getpid()))) {
        fs::create_directories(dir_);
        settings_.url = "sqlite:" + (dir_ / "test.db").string();
        settings_.pool_size = 4;
    }
    ~SqliteDatabase() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    fs::path dir_;
    config::database_settings settings_;
};

// A transaction that reads and then writes is how most handlers count and insert. In
// SQLite's default (deferred) mode, one that read before another connection committed
// cannot upgrade to a writer and fails at once with "database is locked", whatever the
// busy timeout: concurrent handlers lost writes that way.
TEST_F(SqliteDatabase, ConcurrentReadThenWriteTransactionsAllCommit) {
    database db(settings_, {});
    ASSERT_FALSE(db.exec(0, "CREATE TABLE items (n INTEGER NOT NULL)", nlohmann::json::object()));
    constexpr int threads = 4, each = 60;
    std::atomic<int> failures{0};
    std::string first_failure;
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
        writers.emplace_back([&] {
            for (int i = 0; i < each; ++i) {
                std::uint64_t tx = 0;
                auto error = db.begin(tx);
                nlohmann::json rows;
                if (!error) error = db.query(tx, "SELECT COUNT(*) AS n FROM items", nlohmann::json::object(), rows);
                if (!error)
                    error = db.exec(tx, "INSERT INTO items (n) VALUES (:n)", nlohmann::json{{"n", rows.at(0).at("n")}});
                if (!error) error = db.commit(tx);
                if (error) {
                    if (failures++ == 0) first_failure = error->message;
                    db.rollback(tx);
                }
            }
        });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(failures.load(), 0) << first_failure;
    nlohmann::json rows;
    ASSERT_FALSE(db.query(0, "SELECT COUNT(*) AS n FROM items", nlohmann::json::object(), rows));
    EXPECT_EQ(rows.at(0).at("n").get<int>(), threads * each - failures.load());
}

}  // namespace
}  // namespace switchboard::kernel::store
