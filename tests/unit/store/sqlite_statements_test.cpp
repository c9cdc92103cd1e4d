#include "kernel/store/sqlite_statements.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <soci/sqlite3/soci-sqlite3.h>   // sqlite3.h, inside namespace sqlite_api

namespace switchboard::kernel::store {
namespace {

using nlohmann::json;

// An in-memory SQLite connection with one table.
class SqliteStatements : public ::testing::Test {
protected:
    SqliteStatements() {
        sqlite_api::sqlite3* db = nullptr;
        if (sqlite_api::sqlite3_open(":memory:", &db) != SQLITE_OK) throw std::runtime_error("cannot open SQLite");
        db_.reset(db);
        statements_.run(db_.get(), "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, at INTEGER, doc TEXT)",
                        json::object(), nullptr);
    }
    ~SqliteStatements() override { statements_.clear(); }   // before the connection closes

    json select_all() {
        json rows = json::array();
        statements_.run(db_.get(), "SELECT id, name, at, doc FROM items ORDER BY id", json::object(), &rows);
        return rows;
    }

    std::unique_ptr<sqlite_api::sqlite3, int (*)(sqlite_api::sqlite3*)> db_{nullptr, &sqlite_api::sqlite3_close};
    sqlite_statements statements_;
};

TEST_F(SqliteStatements, TheSameTextIsCompiledOnceAndRunsWithNewValuesEachTime) {
    const std::string insert = "INSERT INTO items (name, at) VALUES (:name, :at)";
    const std::size_t before = statements_.size();
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(statements_.run(db_.get(), insert, {{"name", "n" + std::to_string(i)}, {"at", i}}, nullptr), 1U);
    EXPECT_EQ(statements_.size(), before + 1);
    const json rows = select_all();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2]["name"], "n2");
    EXPECT_EQ(rows[2]["at"], 2);
}

TEST_F(SqliteStatements, ValuesKeepTheirOwnTypesAndBindingsDoNotLeakIntoTheNextRun) {
    const std::string insert = "INSERT INTO items (name, at, doc) VALUES (:name, :at, :doc)";
    const long long millis = 1'764'000'000'123LL;   // beyond 32 bits
    statements_.run(db_.get(), insert, {{"name", "a"}, {"at", millis}, {"doc", {{"k", "v"}}}}, nullptr);
    // The second run names no :at and no :doc: they must be NULL, not the first run's.
    statements_.run(db_.get(), insert, {{"name", "b"}, {"unused", 1}}, nullptr);
    const json rows = select_all();
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0]["at"], millis);
    EXPECT_EQ(json::parse(rows[0]["doc"].get<std::string>()), (json{{"k", "v"}}));
    EXPECT_TRUE(rows[1]["at"].is_null());
    EXPECT_TRUE(rows[1]["doc"].is_null());
}

TEST_F(SqliteStatements, AFailedRunLeavesTheStatementReadyForTheNext) {
    const std::string insert = "INSERT INTO items (name) VALUES (:name)";
    statements_.run(db_.get(), insert, {{"name", "same"}}, nullptr);
    try {
        statements_.run(db_.get(), insert, {{"name", "same"}}, nullptr);
        FAIL() << "a duplicate name must fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(statements_.run(db_.get(), insert, {{"name", "other"}}, nullptr), 1U);
    EXPECT_EQ(select_all().size(), 2U);
}

TEST(SqliteStatementsOnAFile, AQueryStoppedByAnErrorHoldsNoReadOpen) {
    // In rollback-journal mode a statement left mid-read keeps its shared lock, and
    // every other connection's write fails with "database is locked" until it is reset.
    const auto path = std::filesystem::temp_directory_path() /
                      ("switchboard-statements-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    using connection = std::unique_ptr<sqlite_api::sqlite3, int (*)(sqlite_api::sqlite3*)>;
    const auto open = [&] {
        sqlite_api::sqlite3* db = nullptr;
        if (sqlite_api::sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open SQLite");
        return connection(db, &sqlite_api::sqlite3_close);
    };
    connection reader = open(), writer = open();
    sqlite_statements reads, writes;
    writes.run(writer.get(), "CREATE TABLE docs (body TEXT)", json::object(), nullptr);
    writes.run(writer.get(), "INSERT INTO docs (body) VALUES ('{}'), ('not json')", json::object(), nullptr);
    json rows = json::array();
    // json() fails on the second row, after the first came back.
    EXPECT_THROW(reads.run(reader.get(), "SELECT json(body) AS doc FROM docs ORDER BY rowid", json::object(), &rows),
                 std::runtime_error);
    EXPECT_EQ(rows.size(), 1U);
    EXPECT_EQ(writes.run(writer.get(), "INSERT INTO docs (body) VALUES (:body)", {{"body", "[]"}}, nullptr), 1U);
    reads.clear();
    writes.clear();
    reader.reset();
    writer.reset();
    std::filesystem::remove(path);
}

TEST_F(SqliteStatements, TheLeastRecentlyUsedGoesWhenFull) {
    const std::string hot = "SELECT 0 AS n";
    json rows = json::array();
    statements_.run(db_.get(), hot, json::object(), &rows);
    for (std::size_t i = 1; i < sqlite_statements::capacity + 10; ++i) {
        statements_.run(db_.get(), "SELECT " + std::to_string(i) + " AS n", json::object(), &rows);
        statements_.run(db_.get(), hot, json::object(), &rows);   // stays recent
    }
    EXPECT_EQ(statements_.size(), sqlite_statements::capacity);
    rows = json::array();
    statements_.run(db_.get(), hot, json::object(), &rows);
    EXPECT_EQ(rows, (json::array({{{"n", 0}}})));
}

TEST_F(SqliteStatements, BadSqlAndEmptySqlAreClearErrors) {
    EXPECT_THROW(statements_.run(db_.get(), "SELEC nothing", json::object(), nullptr), std::runtime_error);
    EXPECT_THROW(statements_.run(db_.get(), "  -- only a comment", json::object(), nullptr), std::runtime_error);
    EXPECT_EQ(select_all().size(), 0U);
}

TEST_F(SqliteStatements, AnotherConnectionGetsStatementsOfItsOwn) {
    json rows = json::array();
    statements_.run(db_.get(), "SELECT 1 AS n", json::object(), &rows);
    sqlite_api::sqlite3* other = nullptr;
    ASSERT_EQ(sqlite_api::sqlite3_open(":memory:", &other), SQLITE_OK);
    std::unique_ptr<sqlite_api::sqlite3, int (*)(sqlite_api::sqlite3*)> guard(other, &sqlite_api::sqlite3_close);
    rows = json::array();
    statements_.run(other, "SELECT 1 AS n", json::object(), &rows);
    EXPECT_EQ(rows, (json::array({{{"n", 1}}})));
    EXPECT_EQ(statements_.size(), 1U);
    statements_.clear();   // before `other` closes (sqlite3_close refuses while statements live)
}

}  // namespace
}  // namespace switchboard::kernel::store
