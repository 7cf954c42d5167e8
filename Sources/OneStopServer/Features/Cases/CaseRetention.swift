import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 个人信息保存期限 (《个人信息保护法》 §19, §47): once a closed case (delivered, refused,
/// withdrawn or terminated) has been closed longer than `ONESTOP_RETENTION_DAYS`, its personal
/// data is erased: the application form's fields, the uploaded materials' contents, and the text
/// of the notices handed out (their kind, serial, date and SHA-256 stay, so that what was issued
/// can still be shown to have been issued). An applicant whose every case is erased and who has no
/// account of their own is anonymised too: name, ID number or credit code, phone and contact go.
/// What the figures need stays: the case's number, item, department, dates, states and timeline.
/// Each case erased is one audit entry. Electronic licences are documents in force and are kept.
enum CaseRetention {
    /// Cases erased per run, so that a first run over years of cases does not hold the writer.
    static let batch = 200
    static let anonymousName = "（已匿名）"

    struct Outcome: Equatable, Sendable {
        var cases = 0
        var applicants = 0
    }

    static func run(app: Application, now: Date) async throws -> Outcome {
        guard let days = app.settings.personalDataRetentionDays else { return Outcome() }
        let nowMillis = HallClock.millis(now)
        let cutoff = nowMillis - Int64(days) * 86_400_000
        let closed = CaseState.allCases.filter(\.isClosed).map(\.rawValue)
        let due = try await CaseModel.query(on: app.db).filter(\.$anonymisedAt == nil).filter(\.$updatedAt < cutoff)
            .filter(\.$state ~~ closed).sort(\.$updatedAt).limit(batch)
            .field(\.$id).field(\.$number).field(\.$centerID).field(\.$applicantID).all()
        guard !due.isEmpty else { return Outcome() }
        let note = "<!doctype html><meta charset=\"utf-8\"><title>已删除</title><p>本文书所含个人信息已按保存期限（\(days) 天）删除。</p>"
        let cases = due.map { (id: $0.id!, number: $0.number, center: $0.centerID, applicant: $0.applicantID) }
        return try await AuditedWrite.run(on: app.db, gate: app.writeGate, actor: "system:retention", now: now) { tx in
            var events: [AuditEvent] = []
            var outcome = Outcome()
            for c in cases {
                // Another instance may have erased it since it was read.
                guard let row = try await CaseModel.find(c.id, on: tx), row.anonymisedAt == nil else { continue }
                row.form = "{}"
                row.anonymisedAt = nowMillis
                try await row.save(on: tx)
                try await CaseFileModel.query(on: tx).filter(\.$caseID == c.id).set(\.$data, to: Data()).update()
                try await NoticeModel.query(on: tx).filter(\.$caseID == c.id).set(\.$html, to: note).update()
                events.append(
                    AuditEvent("case.anonymise", "case", id: c.id, center: c.center, detail: ["number": c.number, "days": String(days)]))
                outcome.cases += 1
            }
            for applicantID in Set(cases.map(\.applicant)) {
                let kept = try await CaseModel.query(on: tx).filter(\.$applicantID == applicantID).filter(\.$anonymisedAt == nil).count()
                guard kept == 0, let a = try await ApplicantModel.find(applicantID, on: tx), a.userID == nil,
                    a.idNumberIndex != anonymousIndex(applicantID)
                else { continue }
                a.name = anonymousName
                a.sealedIDNumber = ""
                a.idNumberIndex = anonymousIndex(applicantID)
                a.phone = ""
                a.contact = ""
                try await a.save(on: tx)
                events.append(AuditEvent("applicant.anonymise", "applicant", id: applicantID, center: nil))
                outcome.applicants += 1
            }
            return (outcome, events)
        }
    }

    /// Unique per applicant (the index is unique per kind), and never the index of a real number.
    static func anonymousIndex(_ id: UUID) -> String { "anon:" + id.uuidString.lowercased() }
}
