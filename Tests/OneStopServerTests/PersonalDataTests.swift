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
            struct Row: Decodable {
                var name: String
                var idNumber: String
                var phone: String
                enum CodingKeys: String, CodingKey { case name, idNumber = "id_number", phone }
            }
            let rows = try await sql.raw("SELECT name, id_number, phone FROM applicants").all(decoding: Row.self)
            // One applicant: the second intake found the first by the index of the number.
            #expect(rows.count == 1)
            for r in rows {
                #expect(r.name.hasPrefix("enc:") && r.idNumber.hasPrefix("enc:") && r.phone.hasPrefix("enc:"))
                #expect(!r.name.contains("张三") && !r.idNumber.contains("1101051949") && !r.phone.contains("13800138000"))
            }
            struct Booking: Decodable {
                var name: String
                var phone: String
                var personKey: String
                enum CodingKeys: String, CodingKey { case name, phone, personKey = "person_key" }
            }
            let bookings = try await sql.raw("SELECT name, phone, person_key FROM appointments").all(decoding: Booking.self)
            #expect(bookings.count == 1 && bookings.allSatisfy { $0.name.hasPrefix("enc:") && $0.phone.hasPrefix("enc:") })
            #expect(bookings.first?.personKey != Digest.sha256Hex("onestop-appointment|11010519491231002X"))
            // The clerk still sees the applicant as entered (the phone masked).
            let a = try await t.send(.GET, "/api/v1/cases/\(first.id)", token: clerk)
            #expect(a.body.string.contains("张三") && a.body.string.contains("138****8000"), "\(a.body.string.prefix(400))")
            #expect(second.applicant.idNumber.hasSuffix("002X") && !second.applicant.idNumber.contains("enc:"))
            // A staff member's phone and ID number, and an account's phone, likewise.
            let staff = StaffModel()
            staff.centerID = try await t.centerID(code: "DL010200")
            staff.name = "王芳"
            staff.jobNumber = "PD-001"
            staff.post = "综合窗口"
            staff.partyMember = false
            staff.duties = ""
            staff.commitment = ""
            staff.phone = "13900001111"
            staff.idNumber = "11010519491231002X"
            try await staff.save(on: t.app.db)
            struct Staff: Decodable {
                var phone: String
                var idNumber: String
                enum CodingKeys: String, CodingKey { case phone, idNumber = "id_number" }
            }
            let staffRow = try #require(
                try await sql.raw("SELECT phone, id_number FROM staff WHERE job_number = 'PD-001'").first(decoding: Staff.self))
            #expect(staffRow.phone.hasPrefix("enc:") && staffRow.idNumber.hasPrefix("enc:"))
            #expect(try await StaffModel.find(staff.id, on: t.app.db)?.phone == "13900001111")
            let user = try #require(try await UserModel.query(on: t.app.db).filter(\.$username == "case_clerk").first())
            user.phone = "13700002222"
            try await user.save(on: t.app.db)
            struct Phone: Decodable { var phone: String }
            let userRow = try await sql.raw("SELECT phone FROM users WHERE username = 'case_clerk'").first(decoding: Phone.self)
            #expect(userRow?.phone.hasPrefix("enc:") == true)
            // Rotation seals every value again under the new key, resumably; the indexes stand.
            let rotated = PersonalData.keyring.rotated()
            #expect(try await KeysCommand.count(notSealedAs: rotated, app: t.app) > 0)
            var resealed = 0
            for (table, columns) in PersonalData.columns {
                resealed += try await KeysCommand.reseal(table, columns, keys: rotated, app: t.app)
            }
            #expect(resealed >= 9)
            #expect(try await KeysCommand.count(notSealedAs: rotated, app: t.app) == 0)
            let after = try await sql.raw("SELECT name, id_number, phone FROM applicants").all(decoding: Row.self)
            #expect(after.allSatisfy { $0.idNumber.hasPrefix("enc:\(rotated.current):") })
            #expect(try after.map { try rotated.open($0.idNumber, field: ApplicantModel.idNumberField) } == ["11010519491231002X"])
            #expect(try await KeysCommand.reseal("applicants", ["name"], keys: rotated, app: t.app) == 0)
            // Another key file does not open this database: start-up stops before any change.
            let other = DataKeyring.generate()
            await #expect(throws: Settings.Problem.self) {
                try await DataKeys.verify(t.app.db, keys: other, record: false, now: 0)
            }
            try await DataKeys.verify(t.app.db, keys: PersonalData.keyring, record: false, now: 0)
        }
    }
}

/// 国密 (issue 18): SM4-CTR with HMAC-SM3 for values, HMAC-SM3 for indexes, SM3 for the audit
/// chain, and the change-over from the default by `keys rotate`. The process's keyring stays the
/// default (the tests share it); these use their own copies.
@Suite("国密 at rest and in the audit chain")
struct GuoMiAtRestTests {
    @Test("values sealed with SM4 and HMAC-SM3 open only with their key and column; either kind opens under either setting")
    func keyring() throws {
        var gm = DataKeyring.generate()
        gm.suite = .guomi
        var std = gm
        std.suite = .standard
        let field = "applicants.id_number"
        let number = "11010519491231002X"
        let a = gm.seal(number, field: field)
        #expect(a.hasPrefix("sm4:k1:") && a != gm.seal(number, field: field) && !a.contains("1101"))
        #expect(try gm.open(a, field: field) == number)
        #expect(try std.open(a, field: field) == number)
        #expect(try gm.open(std.seal(number, field: field), field: field) == number)
        #expect(throws: DataKeyring.Failure.self) { try gm.open(a, field: "applicants.phone") }
        var bytes = Array(a.utf8)
        let i = bytes.count - 10
        bytes[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: DataKeyring.Failure.self) { try gm.open(String(decoding: bytes, as: UTF8.self), field: field) }
        #expect(throws: DataKeyring.Failure.self) { try DataKeyring.generate().open(a, field: field) }
        #expect(gm.isCurrent(a) && !std.isCurrent(a) && std.isCurrent(std.seal(number, field: field)))
        #expect(DataKeyring.keyID(a) == "k1")
        let index = gm.index(number, field: field)
        #expect(index.hasPrefix("sm3:") && index == gm.index(number.lowercased(), field: field))
        #expect(index != std.index(number, field: field) && gm.index("x", field: field) != index)
    }

    @Test("a chain that goes from SHA-256 to SM3 verifies, and an edit on either side is found")
    func mixedChain() {
        var records: [AuditRecord] = []
        var prev = AuditChain.genesis
        for seq in Int64(1)...6 {
            let r = AuditChain.seal(
                AuditRecord(
                    sequence: seq, occurredAtMillis: 1_790_000_000_000 + seq, actor: "user:admin", action: "center.update",
                    entityType: "center", entityID: "c", centerID: "", detail: "{\"n\":\(seq)}", previousHash: prev),
                digest: { Digest.auditHash($0, suite: seq <= 3 ? .standard : .guomi) })
            records.append(r)
            prev = r.hash
        }
        #expect(!records[0].hash.hasPrefix("sm3:") && records[3].hash.hasPrefix("sm3:") && records[3].hash.count == 68)
        #expect(AuditChain.verify(records, digest: Digest.auditHash(_:like:)) == nil)
        for n in [1, 4] {
            var edited = records
            edited[n].detail = "{\"n\":99}"
            #expect(AuditChain.verify(edited, digest: Digest.auditHash(_:like:)) == .altered(sequence: Int64(n + 1)))
        }
        // Passing an SM3 entry off as SHA-256 (its prefix removed) does not verify either.
        var stripped = records
        stripped[4].hash = String(stripped[4].hash.dropFirst(4))
        #expect(AuditChain.verify(stripped, digest: Digest.auditHash(_:like:)) == .altered(sequence: 5))
    }

    @Test(
        "keys rotate with 国密 chosen seals every value with SM4 and indexes with HMAC-SM3; start-up then needs the setting",
        arguments: TestDB.available)
    func changeOver(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let (_, clerk, _) = try await t.caseStaff()
            let item = try await t.foodItem()
            _ = try await t.intake(clerk, item: item.code, marks: try await t.complete(item)).caseView()
            #expect(try await DataKeys.indexSuite(t.app.db) == .standard)
            var gm = PersonalData.keyring
            gm.suite = .guomi
            #expect(try await KeysCommand.count(notSealedAs: gm, app: t.app) > 0)
            var sealed = 0
            for (table, columns) in PersonalData.columns { sealed += try await KeysCommand.reseal(table, columns, keys: gm, app: t.app) }
            #expect(sealed > 0)
            #expect(try await KeysCommand.reindex(keys: gm, app: t.app) >= 1)
            #expect(try await KeysCommand.count(notSealedAs: gm, app: t.app) == 0)
            #expect(try await KeysCommand.reindex(keys: gm, app: t.app) == 0, "resumable: nothing left to do")
            let sql = t.app.db as! any SQLDatabase
            let row = try await sql.raw("SELECT name, id_number, id_number_index FROM applicants").first()!
            #expect(try row.decode(column: "name", as: String.self).hasPrefix("sm4:"))
            #expect(try row.decode(column: "id_number_index", as: String.self).hasPrefix("sm3:"))
            #expect(try await DataKeys.indexSuite(t.app.db) == .guomi)
            #expect(try await ApplicantModel.query(on: t.app.db).first()?.name == "张三", "SM4 values open")
            // This process still has the default chosen: start-up refuses, naming the setting.
            await #expect(throws: Settings.Problem.self) { try await t.app.migrateWithDataKeys() }
        }
    }
}
