import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

/// The databases server tests run on: SQLite always, PostgreSQL when ONESTOP_TEST_POSTGRES_URL
/// names one (the README's test command starts one and sets it). With
/// ONESTOP_TEST_REQUIRE_POSTGRES=1 a missing URL fails instead of quietly testing less.
///
/// SQLite runs in memory (`sqlite`, one connection), and, for the suites whose writes go through
/// the group commit, also in a file as a deployment runs it (`sqliteFile`: WAL, readers beside
/// the commit lane's own connection, `LaneSQLite`).
enum TestDB: String, CustomTestStringConvertible, Sendable, CaseIterable {
    case sqlite, sqliteFile, postgres

    var testDescription: String { rawValue }

    var isSQLite: Bool { self != .postgres }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["ONESTOP_TEST_POSTGRES_URL"] }

    static var available: [TestDB] {
        if postgresURL != nil { return [.sqlite, .postgres] }
        if ProcessInfo.processInfo.environment["ONESTOP_TEST_REQUIRE_POSTGRES"] == "1" {
            fatalError("ONESTOP_TEST_REQUIRE_POSTGRES=1 but ONESTOP_TEST_POSTGRES_URL is not set")
        }
        return [.sqlite]
    }

    /// `available` and SQLite in a file: for suites of the group commit's writes.
    static var writers: [TestDB] { available + [.sqliteFile] }
}

/// A clock tests can move.
final class TestClock: Sendable {
    private let box = NIOLockedValueBox(Date(timeIntervalSince1970: 1_790_000_000))  // 2026-09-21
    var now: Date { box.withLockedValue { $0 } }
    func advance(_ seconds: Double) { box.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

struct TestContext: Sendable {
    let app: Application
    let clock: TestClock
    static let adminPassword = "Admin12345pass"

    /// Sends a request, with a bearer token and a JSON body when given.
    func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable & Sendable)? = nil,
        headers: HTTPHeaders = [:]
    ) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(method, path, headers: headers) { req in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            if let json { try req.content.encode(AnyEncodable(json), as: .json) }
        }
    }

    /// Sends a plain-text body (a CSV or JSON file for an import).
    func sendText(_ method: HTTPMethod, _ path: String, token: String?, body: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(method, path) { req in
            if let token { req.headers.bearerAuthorization = .init(token: token) }
            req.headers.contentType = .plainText
            req.body = ByteBuffer(string: body)
        }
    }

    func login(_ username: String = "admin", _ password: String = TestContext.adminPassword) async throws -> String {
        let res = try await send(.POST, "/api/v1/auth/login", json: ["username": username, "password": password])
        #expect(res.status == .ok, "login \(username): \(res.body.string)")
        return try res.content.decode(TokenBody.self).token
    }

    func centerID(code: String) async throws -> UUID {
        try await CenterModel.query(on: app.db).filter(\.$code == code).first()!.requireID()
    }

    struct TokenBody: Decodable { var token: String }
}

struct AnyEncodable: Encodable, Sendable {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Runs `body` against a fresh, migrated and seeded OneStop on the given database.
/// `sqliteFile`: SQLite in a file of its own (WAL, a separate writer connection) rather than
/// in memory.
func withOneStop(
    _ db: TestDB, sqliteFile: Bool = false, hallHistory: Bool = false, tune: (inout Settings) -> Void = { _ in },
    _ body: (TestContext) async throws -> Void
) async throws {
    var settings = Settings(adminPassword: TestContext.adminPassword)
    settings.demoHallHistory = hallHistory
    settings.bcryptCost = 4
    // Two-step verification has its own tests (TwoFactorTests), which ask for `.required`; the
    // rest sign in with a password alone, whatever the clock does to the grace period.
    settings.twoFactor.mode = .optional
    tune(&settings)
    // Many test servers share one PostgreSQL at once; keep each one's connections few.
    settings.postgresReadersPerLoop = 1
    let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    let dir = NSTemporaryDirectory() + "onestop-test-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dir) }
    switch db {
    case .sqlite: settings.database = sqliteFile ? .sqlite(path: dir + "/db.sqlite") : .sqliteMemory
    case .sqliteFile: settings.database = .sqlite(path: dir + "/db.sqlite")
    case .postgres: settings.database = .postgres(url: TestDB.postgresURL!, schema: String(schema))
    }
    let clock = TestClock()
    let app = try await Application.make(.testing)
    do {
        app.logger.logLevel = .warning
        try await configure(app, settings: settings)
        app.clock = AppClock(now: { clock.now })
        try await prepareForServing(app)
        try await body(TestContext(app: app, clock: clock))
    } catch {
        try await cleanUp(app, db, schema: String(schema))
        throw error
    }
    try await cleanUp(app, db, schema: String(schema))
}

private func cleanUp(_ app: Application, _ db: TestDB, schema: String) async throws {
    if db == .postgres, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
    }
    try await app.asyncShutdown()
}

extension TestingHTTPResponse {
    var problem: ProblemBody? { try? JSONDecoder().decode(ProblemBody.self, from: Data(body.readableBytesView)) }

    /// The body of a 2xx answer decoded; anything else is recorded, with its body, where it was asked for.
    func decoded<T: Decodable>(_ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        guard (200..<300).contains(status.code) else {
            Issue.record("\(status): \(body.string)", sourceLocation: sourceLocation)
            throw UnexpectedResponse()
        }
        return try content.decode(type)
    }
}

struct ProblemBody: Decodable {
    struct Field: Decodable { var field: String; var code: String; var message: String }
    var title: String
    var status: Int
    var detail: String?
    var errors: [Field]?
}
