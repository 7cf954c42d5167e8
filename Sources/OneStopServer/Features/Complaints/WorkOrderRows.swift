import Fluent
import Foundation
import SQLKit
import Vapor

/// A new work order and its history events, written with plain SQL (as `CaseRows` does for
/// cases): through Fluent each of the order's 51 columns costs a reflection, and intake holds the
/// single writer while it writes. Inside a job that defers its rows (`audited(defers: true)`) the
/// rows of a batch's orders go in together.
enum WorkOrderRows {
    static func insert(_ o: WorkOrderModel, on db: any Database) async throws {
        let sql = try SQLRows.sql(db)
        try await SQLRows.insert(
            into: WorkOrderModel.schema,
            columns: """
                id, number, center_id, kind, channel, urgency, state, anonymous, confidential, caller_name, caller_phone, \
                caller_id_number, phone_index, title, text, address, lat, lon, window_id, staff_id, item_id, case_id, brand_ref, \
                service_code, department_id, co_departments, received_at, dispatched_at, sign_due_at, signed_at, clock_start, due_at, \
                limit_text, replied_at, reply, replied_by, called_back_at, satisfaction, solved, closed_at, returns, reopens, \
                merged_into, valid, judge_note, stage, next_look, taken_by, caller_email, media_url, open311_key_id, phrase
                """,
            [
                [
                    sql.bind(id: o.id!), SQLBind(o.number), sql.bind(id: o.centerID), SQLBind(o.kind), SQLBind(o.channel),
                    SQLBind(o.urgency), SQLBind(o.state), SQLBind(o.anonymous), SQLBind(o.confidential), sql.bind(o.sealedCallerName),
                    sql.bind(o.sealedCallerPhone), sql.bind(o.sealedCallerID), SQLBind(o.phoneIndex), SQLBind(o.title), SQLBind(o.text),
                    SQLBind(o.address), sql.bind(o.lat), sql.bind(o.lon), sql.bind(id: o.windowID), sql.bind(id: o.staffID),
                    sql.bind(id: o.itemID), sql.bind(id: o.caseID), SQLBind(o.brandRef), SQLBind(o.serviceCode),
                    sql.bind(id: o.departmentID), SQLBind(o.coDepartments), SQLBind(o.receivedAt), sql.bind(o.dispatchedAt),
                    sql.bind(o.signDueAt), sql.bind(o.signedAt), sql.bind(o.clockStart), sql.bind(o.dueAt), SQLBind(o.limitText),
                    sql.bind(o.repliedAt), SQLBind(o.reply), SQLBind(o.repliedBy), sql.bind(o.calledBackAt), sql.bind(o.satisfaction),
                    sql.bind(o.solved), sql.bind(o.closedAt), SQLBind(o.returns), SQLBind(o.reopens), sql.bind(id: o.mergedInto),
                    sql.bind(o.valid), SQLBind(o.judgeNote), SQLBind(o.stage), sql.bind(o.nextLook), SQLBind(o.takenBy),
                    sql.bind(o.sealedCallerEmail), SQLBind(o.mediaURL), sql.bind(id: o.open311KeyID), sql.bind(o.phrase),
                ]
            ], deferrable: true, on: db)
        o.$id.exists = true
    }

    static func insert(_ e: WorkOrderEventModel, on db: any Database) async throws {
        let sql = try SQLRows.sql(db)
        if e.id == nil { e.id = UUID.timeOrdered() }
        try await SQLRows.insert(
            into: WorkOrderEventModel.schema, columns: "id, order_id, center_id, at, actor, action, department_id, outcome, note",
            [
                [
                    sql.bind(id: e.id!), sql.bind(id: e.orderID), sql.bind(id: e.centerID), SQLBind(e.at), SQLBind(e.actor),
                    SQLBind(e.action), sql.bind(id: e.departmentID), SQLBind(e.outcome), SQLBind(e.note),
                ]
            ], deferrable: true, on: db)
        e.$id.exists = true
    }
}
