import Testing
@testable import TroughStore

@Suite("SQL script splitting")
struct SQLScriptTests {
    @Test("splits on semicolons outside comments, quotes and dollar-quoted bodies")
    func splits() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x TEXT DEFAULT 'a;b');
            /* block; comment */ INSERT INTO a VALUES ('it''s; fine');
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            DO $$ BEGIN PERFORM 1; END $$;
            -- trailing comment only
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("CREATE TABLE a (x TEXT DEFAULT 'a;b')"))
        #expect(statements[1].contains("'it''s; fine'"))
        #expect(statements[2].contains("SELECT 1; $body$ LANGUAGE sql"))
        #expect(statements[3] == "DO $$ BEGIN PERFORM 1; END $$")
    }
}
