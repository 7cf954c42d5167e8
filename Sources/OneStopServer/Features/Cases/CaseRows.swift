import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The rows a new case is made of, written with plain SQL inside the write transaction.
///
/// Intake holds the single writer while it writes the case, its checklist, its timeline and its
/// notice. Through Fluent each row costs a reflection of the model's properties (a profile of the
/// intake benchmark put most of the writer's time there); here the columns are named once. The
/// models are then marked as stored, so that Fluent updates them as usual afterwards.
enum CaseRows {
    static func sql(_ db: any Database) throws -> any SQLDatabase { try SQLRows.sql(db) }

    // Ids and optional values go through `SQLDatabase.bind`: on SQLite an id is bound as its
    // text, and a missing value is written as NULL, neither through `Encodable`.

    static func insert(_ c: CaseModel, on db: any Database) async throws {
        let sql = try sql(db)
        try await SQLRows.insert(
            into: CaseModel.schema,
            columns: """
                id, number, center_id, department_id, item_id, item_code, item_name, guide_version, case_type, channel, applicant_id, \
                ticket_id, state, received_on, accepted_on, decided_on, delivered_on, promised_days, legal_days, extension_days, \
                promised_due, legal_due, supplement_asked, handler_id, project_id, level, reminded, form, created_at, updated_at
                """,
            [
                [
                    sql.bind(id: c.id!), SQLBind(c.number), sql.bind(id: c.centerID), sql.bind(id: c.departmentID),
                    sql.bind(id: c.itemID), SQLBind(c.itemCode), SQLBind(c.itemName), SQLBind(c.guideVersion), SQLBind(c.caseType),
                    SQLBind(c.channel), sql.bind(id: c.applicantID), sql.bind(id: c.ticketID), SQLBind(c.state), SQLBind(c.receivedOn),
                    sql.bind(c.acceptedOn), sql.bind(c.decidedOn), sql.bind(c.deliveredOn), SQLBind(c.promisedDays),
                    SQLBind(c.legalDays), SQLBind(c.extensionDays), sql.bind(c.promisedDue), sql.bind(c.legalDue),
                    SQLBind(c.supplementAsked), sql.bind(id: c.handlerID), sql.bind(id: c.projectID), SQLBind(c.level),
                    sql.bind(c.reminded), SQLBind(c.form), SQLBind(c.createdAt), SQLBind(c.updatedAt),
                ]
            ], deferrable: true, on: db)
        c.$id.exists = true
    }

    static func insert(_ rows: [CaseMaterialModel], on db: any Database) async throws {
        let sql = try sql(db)
        for r in rows where r.id == nil { r.id = UUID.timeOrdered() }
        try await SQLRows.insert(
            into: CaseMaterialModel.schema, columns: "id, case_id, position, name, need, status, note",
            rows.map {
                [
                    sql.bind(id: $0.id!), sql.bind(id: $0.caseID), SQLBind($0.position), SQLBind($0.name), SQLBind($0.need),
                    SQLBind($0.status), SQLBind($0.note),
                ]
            }, deferrable: true, on: db)
        for r in rows { r.$id.exists = true }
    }

    static func insert(_ events: [CaseEventModel], on db: any Database) async throws {
        let sql = try sql(db)
        for e in events where e.id == nil { e.id = UUID.timeOrdered() }
        try await SQLRows.insert(
            into: CaseEventModel.schema,
            columns: "id, case_id, seq, action, from_state, to_state, actor, actor_name, at_ms, day, reason, detail",
            events.map { e in
                [
                    sql.bind(id: e.id!), sql.bind(id: e.caseID), SQLBind(e.seq), SQLBind(e.action), SQLBind(e.fromState),
                    SQLBind(e.toState), SQLBind(e.actor), SQLBind(e.actorName), SQLBind(e.atMillis), SQLBind(e.day), SQLBind(e.reason),
                    SQLBind(e.detail),
                ]
            }, deferrable: true, on: db)
        for e in events { e.$id.exists = true }
    }

    static func insert(_ n: NoticeModel, on db: any Database) async throws {
        let sql = try sql(db)
        if n.id == nil { n.id = UUID.timeOrdered() }
        try await SQLRows.insert(
            into: NoticeModel.schema, columns: "id, case_id, seq, kind, serial, issued_at, issued_by, html, sha256",
            [
                [
                    sql.bind(id: n.id!), sql.bind(id: n.caseID), SQLBind(n.seq), SQLBind(n.kind), SQLBind(n.serial),
                    SQLBind(n.issuedAt), SQLBind(n.issuedBy), SQLBind(n.html), SQLBind(n.sha256),
                ]
            ], deferrable: true, on: db)
        n.$id.exists = true
    }

    /// The applicant with this kind and number: the one known already, or a new row. An
    /// insert that loses a race to the same new applicant keeps the winner's row.
    static func applicant(_ v: ApplicantInput.Valid, now: Int64, on db: any Database) async throws -> ApplicantModel {
        let sql = try sql(db)
        struct Inserted: Decodable { var id: UUID }
        // A new applicant (the usual case at a window) costs one statement; one on record, two.
        if let made = try await sql.raw(
            """
            INSERT INTO applicants (id, kind, name, id_number, id_number_index, phone, contact, created_at)
            VALUES (\(bind: UUID.timeOrdered()), \(bind: v.kind.rawValue), \(bind: PersonalData.seal(v.name, ApplicantModel.nameField)),
                    \(bind: PersonalData.seal(v.idNumber, ApplicantModel.idNumberField)), \(bind: ApplicantModel.index(v.idNumber)),
                    \(bind: PersonalData.seal(v.phone, ApplicantModel.phoneField)),
                    \(bind: PersonalData.seal(v.contact, ApplicantModel.contactField)), \(bind: now))
            ON CONFLICT (kind, id_number_index) DO NOTHING RETURNING id
            """
        ).first(decoding: Inserted.self) {
            let a = ApplicantModel()
            a.id = made.id
            a.kind = v.kind.rawValue
            a.name = v.name
            a.idNumber = v.idNumber
            a.phone = v.phone
            a.contact = v.contact
            a.createdAt = now
            a.$id.exists = true
            return a
        }
        guard let found = try await findApplicant(kind: v.kind.rawValue, idNumber: v.idNumber, on: db) else {
            throw Abort(.internalServerError)
        }
        return found
    }

    /// The applicant on record with this kind and number, read with one plain statement.
    static func findApplicant(kind: String, idNumber: String, on db: any Database) async throws -> ApplicantModel? {
        guard
            let row = try await sql(db).raw(
                """
                SELECT id, name, id_number, phone, contact, user_id, created_at FROM applicants
                WHERE kind = \(bind: kind) AND id_number_index = \(bind: ApplicantModel.index(idNumber))
                """
            ).first()
        else { return nil }
        let a = ApplicantModel()
        a.id = try row.decode(column: "id", as: UUID.self)
        a.kind = kind
        a.sealedName = try row.decode(column: "name", as: String.self)
        a.sealedIDNumber = try row.decode(column: "id_number", as: String.self)
        a.idNumberIndex = ApplicantModel.index(idNumber)
        a.sealedPhone = try row.decode(column: "phone", as: String.self)
        a.sealedContact = try row.decode(column: "contact", as: String.self)
        a.userID = try row.decode(column: "user_id", as: UUID?.self)
        a.createdAt = try row.decode(column: "created_at", as: Int64.self)
        a.$id.exists = true
        return a
    }
}
