import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import VaporTesting

@testable import OneStopServer

@Suite("Personal data sealed at rest")
struct PersonalDataTests {
    @Test("a sealed value opens with its key and column only; the blind index finds equal values; rotation keeps old values open")
    func keyring() throws {
        let keys = DataKeyring.generate()
        let a = keys.seal("11010519491231002X", field: "applicants.id_number")
        let b = keys.seal("11010519491231002X", field: "applicants.id_number")
        #expect(a.hasPrefix("enc:k1:") && a != b && !a.contains("1101051949"))
        #expect(try keys.open(a, field: "applicants.id_number") == "11010519491231002X")
        // Copied into another column, or changed by one character, it does not open.
        #expect(throws: DataKeyring.Failure.self) { try keys.open(a, field: "applicants.phone") }
        var bytes = Array(a.utf8)
        // (A character in the middle of the base64: its bits all count.)
        let i = "enc:k1:".utf8.count + 10
        bytes[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: DataKeyring.Failure.self) { try keys.open(String(decoding: bytes, as: UTF8.self), field: "applicants.id_number") }
        // Another keyring's value does not open either.
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring.generate().open(a, field: "applicants.id_number") }
        #expect(keys.seal("", field: "applicants.contact") == "")
        #expect(keys.index("11010519491231002x", field: "f") == keys.index(" 11010519491231002X", field: "f"))
        #expect(keys.index("11010519491231002X", field: "f") != keys.index("11010519491231002X", field: "g"))
        #expect(keys.index("11010519491231002X", field: "f") != DataKeyring.generate().index("11010519491231002X", field: "f"))
        // Rotated: new values under k2, old ones still open, indexes unchanged; the file keeps all.
        let next = keys.rotated()
        #expect(next.current == "k2" && next.seal("x", field: "f").hasPrefix("enc:k2:"))
        #expect(try next.open(a, field: "applicants.id_number") == "11010519491231002X")
        #expect(next.index("x", field: "f") == keys.index("x", field: "f"))
        let reread = try DataKeyring(file: next.fileData)
        #expect(try reread.open(a, field: "applicants.id_number") == "11010519491231002X" && reread.current == "k2")
        #expect(throws: (any Error).self) { try DataKeyring(file: Data("{}".utf8)) }
    }

    @Test("the embedded database makes its key file beside itself, owner-only; PostgreSQL needs one named")
    func keyFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onestop-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try DataKeys.load(Settings(database: .sqlite(path: dir + "/db.sqlite")), testing: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/db.sqlite.keys")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try DataKeys.load(Settings(database: .sqlite(path: dir + "/db.sqlite")), testing: false)
        #expect(again.fileData == made.fileData)
        #expect(throws: Settings.Problem.self) {
            try DataKeys.load(Settings(database: .postgres(url: "postgres://127.0.0.1/x")), testing: false)
        }
        var named = Settings(database: .postgres(url: "postgres://127.0.0.1/x"))
        named.dataKeyFile = dir + "/missing.keys"
        #expect(throws: Settings.Problem.self) { try DataKeys.load(named, testing: false) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/missing.keys"))
        named.dataKeyFile = dir + "/db.sqlite.keys"
        #expect(try DataKeys.load(named, testing: false).fileData == made.fileData)
    }

    @Test("applicants and bookings are stored sealed, found by their index, and a wrong key stops start-up", arguments: TestDB.available)
    func stored(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let food = try await t.foodItem()
            let first = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            let second = try await t.intake(clerk, item: food.code, marks: try await t.complete(food)).caseView()
            let person = [
                "center": "DL010200", "group": "C", "date": "2026-09-22", "slot": "09:00", "name": "李华",
                "idNumber": "11010519491231002X", "phone": "13800138000",
            ]
            _ = try await Hall.open(t)
            let booked = try await t.send(.POST, "/api/v1/appointments", json: person)
            #expect(booked.status == .created, "\(booked.body.string)")
            let sql = try #require(t.app.db as? any SQLDatabase)
            struct Row: Decodable { var name: String; var id_number: String; var phone: String }
            let rows = try await sql.raw("SELECT name, id_number, phone FROM applicants").all(decoding: Row.self)
            // One applicant: the second intake found the first by the index of the number.
            #expect(rows.count == 1)
            for r in rows {
                #expect(r.name.hasPrefix("enc:") && r.id_number.hasPrefix("enc:") && r.phone.hasPrefix("enc:"))
                #expect(!r.name.contains("张三") && !r.id_number.contains("1101051949") && !r.phone.contains("13800138000"))
            }
            struct Booking: Decodable { var name: String; var phone: String; var person_key: String }
            let bookings = try await sql.raw("SELECT name, phone, person_key FROM appointments").all(decoding: Booking.self)
            #expect(bookings.count == 1 && bookings.allSatisfy { $0.name.hasPrefix("enc:") && $0.phone.hasPrefix("enc:") })
            #expect(bookings.first?.person_key != Digest.sha256Hex("onestop-appointment|11010519491231002X"))
            // The clerk still sees the applicant as entered (the phone masked).
            let a = try await t.send(.GET, "/api/v1/cases/\(first.id)", token: clerk)
            #expect(a.body.string.contains("张三") && a.body.string.contains("138****8000"), "\(a.body.string.prefix(400))")
            #expect(second.applicant.idNumber.hasSuffix("002X") && !second.applicant.idNumber.contains("enc:"))
            // Another key file does not open this database: start-up stops before any change.
            let other = DataKeyring.generate()
            await #expect(throws: Settings.Problem.self) {
                try await DataKeys.verify(t.app.db, keys: other, record: false, now: 0)
            }
            try await DataKeys.verify(t.app.db, keys: PersonalData.keyring, record: false, now: 0)
        }
    }
}
