import Fluent
import Foundation
import SQLKit

/// Personal data sealed at rest (see `PersonalData`): applicants' names, ID numbers, phones and
/// contacts, the names and phones of booked visitors, the staff's phones and ID numbers and the
/// accounts' phones, sealed in place; an applicant is found
/// by the blind index of the number, unique per kind; a check value per key lets start-up tell a
/// wrong key file before it touches anything.
struct SealPersonalData: AsyncMigration {
    var name: String { "024_SealPersonalData" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await db.schema("data_key_checks")
            .field("key_id", .string, .identifier(auto: false))
            .field("sealed", .string, .required)
            .field("created_at", .int64, .required)
            .create()
        try await db.schema("applicants").field("id_number_index", .string, .required, .sql(.default(""))).update()
        let keys = PersonalData.keyring
        // The rows there are, sealed a thousand at a time.
        var last = ""
        while true {
            let rows = try await sql.raw(
                """
                SELECT id, name, id_number, phone, contact FROM applicants WHERE \(unsafeRaw: sql.textIDs ? "id" : "id::text") > \(bind: last)
                ORDER BY \(unsafeRaw: sql.textIDs ? "id" : "id::text") LIMIT 1000
                """
            ).all()
            guard !rows.isEmpty else { break }
            for r in rows {
                let id = try r.decode(column: "id", as: UUID.self)
                func plain(_ column: String) throws -> String {
                    try keys.open(try r.decode(column: column, as: String.self), field: "applicants." + column)
                }
                let number = try plain("id_number")
                try await sql.raw(
                    """
                    UPDATE applicants SET name = \(bind: keys.seal(try plain("name"), field: ApplicantModel.nameField)),
                    id_number = \(bind: keys.seal(number, field: ApplicantModel.idNumberField)),
                    id_number_index = \(bind: keys.index(number, field: ApplicantModel.idNumberField)),
                    phone = \(bind: keys.seal(try plain("phone"), field: ApplicantModel.phoneField)),
                    contact = \(bind: keys.seal(try plain("contact"), field: ApplicantModel.contactField))
                    WHERE id = \(sql.bind(id: id))
                    """
                ).run()
                last = sql.textIDs ? id.text : id.uuidString.lowercased()
            }
        }
        try await sql.create(index: "applicants_id_number_index").on("applicants").column("kind").column("id_number_index").unique()
            .run()
        if !sql.textIDs {
            // The old constraint on the sealed text means nothing now (SQLite keeps it in the table's
            // definition, where it never matches: each value is sealed with its own nonce).
            try await db.schema("applicants").deleteUnique(on: "kind", "id_number").update()
        }
        try await Self.seal("staff", ["phone", "id_number"], keys: keys, on: sql)
        try await Self.seal("users", ["phone"], keys: keys, on: sql)
        let bookings = try await sql.raw("SELECT id, name, phone FROM appointments").all()
        for r in bookings {
            let id = try r.decode(column: "id", as: UUID.self)
            let name = try keys.open(try r.decode(column: "name", as: String.self), field: AppointmentModel.nameField)
            let phone = try keys.open(try r.decode(column: "phone", as: String.self), field: AppointmentModel.phoneField)
            try await sql.raw(
                """
                UPDATE appointments SET name = \(bind: keys.seal(name, field: AppointmentModel.nameField)),
                phone = \(bind: keys.seal(phone, field: AppointmentModel.phoneField)) WHERE id = \(sql.bind(id: id))
                """
            ).run()
        }
    }

    /// Seals the optional `columns` of `table` in place (the staff's phones and ID numbers, the
    /// accounts' phones: few rows).
    static func seal(_ table: String, _ columns: [String], keys: DataKeyring, on sql: any SQLDatabase) async throws {
        let rows = try await sql.raw("SELECT id, \(unsafeRaw: columns.joined(separator: ", ")) FROM \(ident: table)").all()
        for r in rows {
            let id = try r.decode(column: "id", as: UUID.self)
            var sets: [SQLQueryString] = []
            for column in columns {
                guard let value = try r.decode(column: column, as: String?.self) else { continue }
                let field = table + "." + column
                sets.append("\(ident: column) = \(bind: keys.seal(try keys.open(value, field: field), field: field))")
            }
            guard !sets.isEmpty else { continue }
            try await sql.raw("UPDATE \(ident: table) SET \(SQLList(sets)) WHERE id = \(sql.bind(id: id))").run()
        }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "applicants_id_number_index").run()
        try await db.schema("applicants").deleteField("id_number_index").update()
        try await db.schema("data_key_checks").delete()
    }
}
