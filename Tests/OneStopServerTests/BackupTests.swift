import Fluent
import FluentSQLiteDriver
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Backups")
struct BackupTests {
    static func window(_ t: TestContext, _ number: Int, token: String) async throws {
        let county = try await t.centerID(code: "DL010200")
        let res = try await t.send(
            .POST, "/api/v1/windows", token: token,
            json: ["centerID": county.uuidString, "number": String(number), "name": "窗口\(number)", "kind": "comprehensive"].jsonNumber(
                "number"))
        #expect(res.status == .created)
    }

    static func windows(_ t: TestContext, in file: String) async throws -> [Int] {
        let id = DatabaseID(string: "look-\(UUID().uuidString)")
        t.app.databases.use(.sqlite(.file(file)), as: id)
        return try await WindowModel.query(on: t.app.db(id)).all().map(\.number).sorted()
    }

    @Test("a backup of the live database is consistent and checked; a damaged one is refused; restore keeps what it replaces")
    func backupAndRestore() async throws {
        try await withOneStop(.sqlite, sqliteFile: true) { t in
            let admin = try await t.login()
            try await Self.window(t, 41, token: admin)
            let dir = NSTemporaryDirectory() + "onestop-backup-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let copy = dir + "/one.sqlite"
            let made = try await Backups.take(t.app, to: copy)
            #expect(made.auditEntries > 0 && made.bytes > 0)
            #expect(try await Self.windows(t, in: copy).contains(41))
            // Never over an existing file.
            await #expect(throws: Backups.Failure.self) { try await Backups.take(t.app, to: copy) }

            // A copy whose history was edited is refused, naming the chain.
            let bad = dir + "/bad.sqlite"
            try FileManager.default.copyItem(atPath: copy, toPath: bad)
            let id = DatabaseID(string: "tamper")
            t.app.databases.use(.sqlite(.file(bad)), as: id)
            try await (t.app.db(id) as! any SQLDatabase).raw("UPDATE audit_entries SET actor = 'someone' WHERE seq = 2").run()
            t.app.databases.reinitialize(id)
            do {
                _ = try await Backups.check(t.app, file: bad)
                Issue.record("a tampered backup passed")
            } catch let f as Backups.Failure {
                #expect(f.description.contains("audit chain"))
            }
            // Not a database at all.
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: dir + "/junk.sqlite"))
            await #expect(throws: Backups.Failure.self) { try await Backups.check(t.app, file: dir + "/junk.sqlite") }

            // Restore: the backup comes back, the window made after it is in the kept database.
            try await Self.window(t, 42, token: admin)
            let (_, kept) = try await Backups.restore(t.app, from: copy, now: t.clock.now)
            let live = try Backups.databasePath(t.app)
            let back = try await Self.windows(t, in: live)
            #expect(back.contains(41) && !back.contains(42))
            let aside = try #require(kept)
            #expect(try await Self.windows(t, in: aside).contains(42))
        }
    }

    @Test("scheduled backups run when due and keep the newest few")
    func scheduled() async throws {
        let dir = NSTemporaryDirectory() + "onestop-backups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await withOneStop(.sqlite, sqliteFile: true, tune: { $0.backup = .init(directory: dir, hours: 24, keep: 2) }) { t in
            #expect(try await Backups.scheduled(t.app, now: t.clock.now) != nil)
            #expect(try await Backups.scheduled(t.app, now: t.clock.now) == nil)
            for _ in 0..<3 {
                t.clock.advance(24 * 3600)
                #expect(try await Backups.scheduled(t.app, now: t.clock.now) != nil)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sqlite") }
            #expect(files.count == 2)
        }
    }
}

@Suite("Demo data")
struct DemoDataValidityTests {
    @Test("every phone number of the demo passes OneStop's own check")
    func phones() async throws {
        try await withOneStop(.sqlite) { t in
            var phones: [String] = []
            phones += try await CenterModel.query(on: t.app.db).all().compactMap(\.phone)
            phones += try await DepartmentModel.query(on: t.app.db).all().compactMap(\.phone)
            phones += try await WindowModel.query(on: t.app.db).all().compactMap(\.phone)
            phones += try await StaffModel.query(on: t.app.db).all().compactMap(\.phone)
            #expect(phones.count > 10)
            let bad = phones.filter { !$0.isEmpty && !PhoneNumber.isValid($0) }
            #expect(bad.isEmpty, "\(bad)")
        }
    }
}
