#include "kernel/store/migrations.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace switchboard::kernel::store {
namespace {

namespace fs = std::filesystem;
using strings = std::vector<std::string>;

// ---- split_statements

TEST(SplitStatements, SplitsAtTopLevelSemicolons) {
    EXPECT_EQ(split_statements("CREATE TABLE a (x INT); CREATE TABLE b (y INT);"),
              (strings{"CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"}));
    EXPECT_EQ(split_statements("SELECT 1"), (strings{"SELECT 1"}));   // the last needs no semicolon
}

TEST(SplitStatements, NothingButWhitespaceAndEmptyStatementsIsNothing) {
    EXPECT_TRUE(split_statements("").empty());
    EXPECT_TRUE(split_statements(" \n\t\r\n").empty());
    EXPECT_TRUE(split_statements(";;\n;").empty());
    EXPECT_EQ(split_statements("SELECT 1;;\n;SELECT 2"), (strings{"SELECT 1", "SELECT 2"}));
}

TEST(SplitStatements, LeadingWhitespaceIsTrimmed) {
    EXPECT_EQ(split_statements("\n\n   SELECT 1;\n\tSELECT 2;\n"), (strings{"SELECT 1", "SELECT 2"}));
}

TEST(SplitStatements, SemicolonsInQuotesStay) {
    EXPECT_EQ(split_statements("INSERT INTO t VALUES ('a;b'); SELECT 2"),
              (strings{"INSERT INTO t VALUES ('a;b')", "SELECT 2"}));
    // A doubled quote is an apostrophe inside the string, not its end.
    EXPECT_EQ(split_statements("INSERT INTO t VALUES ('it''s; fine'); SELECT 2"),
              (strings{"INSERT INTO t VALUES ('it''s; fine')", "SELECT 2"}));
    EXPECT_EQ(split_statements(R"(CREATE TABLE "odd;name" (x INT); SELECT 2)"),
              (strings{R"(CREATE TABLE "odd;name" (x INT))", "SELECT 2"}));
    // Comment markers inside a string are text.
    EXPECT_EQ(split_statements("INSERT INTO t VALUES ('-- not a comment; /* nor this */'); SELECT 2"),
              (strings{"INSERT INTO t VALUES ('-- not a comment; /* nor this */')", "SELECT 2"}));
}

TEST(SplitStatements, CommentsAreDroppedWithTheirSemicolons) {
    const auto statements = split_statements(
        "-- first; a comment\n"
        "CREATE TABLE a (x INT); -- trailing; comment\n"
        "/* a block; comment\n over lines; */\n"
        "CREATE TABLE b (y INT);\n"
        "-- the end; no newline after it");
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[0], "CREATE TABLE a (x INT)");
    EXPECT_EQ(statements[1], "CREATE TABLE b (y INT)");
}

TEST(SplitStatements, ALineCommentInsideAStatementEndsAtTheLine) {
    const auto statements = split_statements("SELECT 1 -- why; because\n  + 2;");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].find(';'), std::string::npos);
    EXPECT_NE(statements[0].find("+ 2"), std::string::npos);
}

TEST(SplitStatements, ABlockCommentStillSeparatesTokens) {
    // SQL reads a comment as whitespace: dropping it must not glue two words together.
    const auto statements = split_statements("SELECT/* columns */1 AS x/**/FROM t");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].find("SELECT1"), std::string::npos) << statements[0];
    EXPECT_EQ(statements[0].find("xFROM"), std::string::npos) << statements[0];
}

TEST(SplitStatements, DollarQuotedBodiesAreOneStatement) {
    const std::string function =
        "CREATE FUNCTION f() RETURNS INTEGER AS $$\n"
        "BEGIN\n  PERFORM 1; -- inside; still inside\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql";
    EXPECT_EQ(split_statements(function + ";\nSELECT f();"), (strings{function, "SELECT f()"}));

    const std::string tagged =
        "CREATE FUNCTION g() RETURNS TEXT AS $body$ SELECT 'a;b'; SELECT $$ nested; $$; $body$ LANGUAGE sql";
    EXPECT_EQ(split_statements(tagged + "; SELECT 2"), (strings{tagged, "SELECT 2"}));
}

TEST(SplitStatements, PositionalParametersAreNotDollarQuotes) {
    EXPECT_EQ(split_statements("PREPARE p AS SELECT $1 + $2; EXECUTE p(1, 2);"),
              (strings{"PREPARE p AS SELECT $1 + $2", "EXECUTE p(1, 2)"}));
}

TEST(SplitStatements, UnterminatedQuotesDoNotCrash) {
    EXPECT_EQ(split_statements("SELECT 'open; SELECT 2"), (strings{"SELECT 'open; SELECT 2"}));
    EXPECT_EQ(split_statements("SELECT 1; /* open"), (strings{"SELECT 1"}));
    EXPECT_EQ(split_statements("SELECT $$ open; SELECT 2"), (strings{"SELECT $$ open; SELECT 2"}));
}

// ---- find_migrations

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned i = 0; i < size; ++i) {
        static constexpr char digits[] = "0123456789abcdef";
        hex += digits[digest[i] >> 4];
        hex += digits[digest[i] & 15];
    }
    return hex;
}

class MigrationsDir : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        root_ = fs::temp_directory_path() / ("switchboard-migrations-test-" + std::to_string(random()));
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path write(const std::string& component, const std::string& name, const std::string& text = "SELECT 1;\n") {
        fs::create_directories(root_ / component);
        const fs::path file = root_ / component / name;
        std::ofstream(file) << text;
        return file;
    }

    static strings names(const std::vector<migration>& found) {
        strings out;
        for (const auto& m : found) out.push_back(m.component + "/" + m.file.filename().string());
        return out;
    }

    // The message of the migration_error `fn` throws ("" if it does not).
    template <class Fn>
    static std::string error_of(Fn&& fn) {
        try {
            fn();
        } catch (const migration_error& e) {
            return e.what();
        }
        return {};
    }

    fs::path root_;
};

TEST_F(MigrationsDir, OrderedByVersionNumberWithinEachComponentInTheGivenOrder) {
    write("chat", "0010_tenth.sql");
    write("chat", "0002_second.sql");
    write("chat", "0001_first.sql");
    write("kernel", "0001_kernel.sql");
    const auto found = find_migrations(root_, {"kernel", "chat"}, dialect::sqlite);
    EXPECT_EQ(names(found), (strings{"kernel/0001_kernel.sql", "chat/0001_first.sql", "chat/0002_second.sql",
                                     "chat/0010_tenth.sql"}));
    EXPECT_EQ(found[3].version, 10);
    EXPECT_EQ(found[3].title, "tenth");
    EXPECT_EQ(found[0].component, "kernel");
}

TEST_F(MigrationsDir, TheDialectsVariantWinsAndTheOtherDialectIsIgnored) {
    write("p", "0001_init.sql");
    write("p", "0002_ids.sqlite.sql");
    write("p", "0002_ids.postgresql.sql");
    write("p", "0003_view.sql");
    write("p", "0003_view.postgresql.sql");
    write("p", "0004_pg_only.postgresql.sql");
    EXPECT_EQ(names(find_migrations(root_, {"p"}, dialect::sqlite)),
              (strings{"p/0001_init.sql", "p/0002_ids.sqlite.sql", "p/0003_view.sql"}));
    const auto pg = find_migrations(root_, {"p"}, dialect::postgresql);
    EXPECT_EQ(names(pg), (strings{"p/0001_init.sql", "p/0002_ids.postgresql.sql", "p/0003_view.postgresql.sql",
                                  "p/0004_pg_only.postgresql.sql"}));
    EXPECT_EQ(pg[1].title, "ids");
    EXPECT_EQ(pg[1].version, 2);
}

TEST_F(MigrationsDir, ChecksumIsTheFilesSha256) {
    const std::string text = "CREATE TABLE p_items (id INTEGER);\n";
    write("p", "0001_init.sql", text);
    const auto found = find_migrations(root_, {"p"}, dialect::sqlite);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].checksum, sha256_hex(text));
}

TEST_F(MigrationsDir, MissingComponentsAndOtherFilesAreIgnored) {
    write("p", "README.md", "# notes");
    write("p", "0001_init.sql.orig");
    write("p", "0001_init.sql");
    EXPECT_EQ(names(find_migrations(root_, {"absent", "p"}, dialect::sqlite)), (strings{"p/0001_init.sql"}));
    EXPECT_TRUE(find_migrations(root_ / "nowhere", {"p"}, dialect::sqlite).empty());
}

TEST_F(MigrationsDir, BadNamesAreRefusedNamingTheFile) {
    for (const std::string name :
         {"1_short.sql", "00001_long.sql", "0001-dash.sql", "0001.sql", "abcd_letters.sql", "init.sql", "-001_negative.sql",
          "+001_plus.sql", " 001_space.sql"}) {
        SCOPED_TRACE(name);
        fs::remove_all(root_ / "p");
        const fs::path file = write("p", name);
        const std::string message = error_of([&] { find_migrations(root_, {"p"}, dialect::sqlite); });
        EXPECT_NE(message.find(file.string()), std::string::npos) << message;
        EXPECT_NE(message.find("NNNN_title.sql"), std::string::npos) << message;
    }
}

TEST_F(MigrationsDir, TwoFilesWithOneNumberAreRefusedNamingBoth) {
    const fs::path a = write("p", "0001_a.sql");
    const fs::path b = write("p", "0001_b.sql");
    const std::string message = error_of([&] { find_migrations(root_, {"p"}, dialect::sqlite); });
    EXPECT_NE(message.find(a.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(b.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find("same number"), std::string::npos) << message;

    fs::remove_all(root_ / "p");
    write("p", "0001_a.sqlite.sql");
    write("p", "0001_b.sqlite.sql");
    write("p", "0001_c.postgresql.sql");
    EXPECT_NE(error_of([&] { find_migrations(root_, {"p"}, dialect::sqlite); }).find("same number"), std::string::npos);
    EXPECT_EQ(names(find_migrations(root_, {"p"}, dialect::postgresql)), (strings{"p/0001_c.postgresql.sql"}));
}

// ---- migrate, on a real SQLite file

class MigrateOnSqlite : public MigrationsDir {
protected:
    std::unique_ptr<database> open() {
        config::database_settings settings;
        settings.url = "sqlite:" + (root_ / "db" / "test.db").string();
        settings.pool_size = 2;
        return std::make_unique<database>(settings, std::string());
    }

    static nlohmann::json rows(database& db, const std::string& sql) {
        nlohmann::json out;
        const auto error = db.query(0, sql, nlohmann::json::object(), out);
        EXPECT_FALSE(error) << (error ? error->message : "");
        return out;
    }
};

TEST_F(MigrateOnSqlite, AppliesOnceRecordsAndIsIdempotent) {
    write("migrations/p", "0001_init.sql", "CREATE TABLE p_items (id INTEGER PRIMARY KEY, name TEXT);\n"
                                           "INSERT INTO p_items (name) VALUES ('a;b');\n");
    write("migrations/p", "0002_more.sqlite.sql", "INSERT INTO p_items (name) VALUES ('c');");
    auto db = open();
    const auto first = migrate(*db, root_ / "migrations", {"kernel", "p"});
    EXPECT_EQ(first.applied.size(), 2u);
    EXPECT_EQ(first.up_to_date, 0u);
    EXPECT_EQ(rows(*db, "SELECT name FROM p_items ORDER BY id"), nlohmann::json::parse(R"([{"name":"a;b"},{"name":"c"}])"));
    const auto recorded = rows(*db, "SELECT component, version, checksum FROM schema_migrations ORDER BY version");
    ASSERT_EQ(recorded.size(), 2u);
    EXPECT_EQ(recorded[0]["component"], "p");
    EXPECT_EQ(recorded[1]["version"], 2);
    EXPECT_EQ(recorded[0]["checksum"], first.applied[0].checksum);

    const auto second = migrate(*db, root_ / "migrations", {"kernel", "p"});
    EXPECT_TRUE(second.applied.empty());
    EXPECT_EQ(second.up_to_date, 2u);
    EXPECT_EQ(rows(*db, "SELECT name FROM p_items").size(), 2u);
}

TEST_F(MigrateOnSqlite, ADryRunAppliesNothing) {
    write("migrations/p", "0001_init.sql", "CREATE TABLE p_items (id INTEGER);");
    auto db = open();
    const auto dry = migrate(*db, root_ / "migrations", {"p"}, /*dry_run=*/true);
    ASSERT_EQ(dry.applied.size(), 1u);
    EXPECT_EQ(dry.applied[0].title, "init");
    EXPECT_TRUE(rows(*db, "SELECT name FROM sqlite_master WHERE name = 'p_items'").empty());
    EXPECT_EQ(migrate(*db, root_ / "migrations", {"p"}).applied.size(), 1u);
}

TEST_F(MigrateOnSqlite, AnEditedMigrationIsAnErrorNamingTheFile) {
    const fs::path file = write("migrations/p", "0001_init.sql", "CREATE TABLE p_items (id INTEGER);\n");
    auto db = open();
    migrate(*db, root_ / "migrations", {"p"});
    std::ofstream(file, std::ios::app) << "-- edited\n";
    const std::string message = error_of([&] { migrate(*db, root_ / "migrations", {"p"}); });
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("changed after it was applied"), std::string::npos) << message;
}

TEST_F(MigrateOnSqlite, AFailingMigrationIsRolledBackAndNotRecorded) {
    write("migrations/p", "0001_init.sql", "CREATE TABLE p_items (id INTEGER);");
    const fs::path broken =
        write("migrations/p", "0002_broken.sql", "CREATE TABLE p_half (id INTEGER);\nINSERT INTO p_nowhere VALUES (1);\n");
    auto db = open();
    const std::string message = error_of([&] { migrate(*db, root_ / "migrations", {"p"}); });
    EXPECT_NE(message.find(broken.string()), std::string::npos) << message;
    EXPECT_TRUE(rows(*db, "SELECT name FROM sqlite_master WHERE name = 'p_half'").empty());
    EXPECT_EQ(rows(*db, "SELECT version FROM schema_migrations"), nlohmann::json::parse(R"([{"version":1}])"));
}

// Every pooled connection commits as the deployment chose (2 connections: a PRAGMA is
// per connection, and the pool hands out either).
TEST_F(MigrateOnSqlite, CommitsWaitForTheDiskOnlyWhenConfigured) {
    auto db = open();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(rows(*db, "PRAGMA synchronous")[0]["synchronous"], 1);   // NORMAL
    db.reset();
    config::database_settings settings;
    settings.url = "sqlite:" + (root_ / "db" / "test.db").string();
    settings.pool_size = 2;
    settings.sqlite_synchronous = "full";
    database full(settings, std::string());
    for (int i = 0; i < 4; ++i) EXPECT_EQ(rows(full, "PRAGMA synchronous")[0]["synchronous"], 2);   // FULL
}

}  // namespace
}  // namespace switchboard::kernel::store
