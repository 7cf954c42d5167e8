import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Reading cases: the full view for those who may see it, and tracking without signing in.
extension CaseService {
    /// The case's full view. `known`: the rows of a case just opened at a window (no files, stops
    /// or tasks yet), which then need no reading back.
    static func dto(_ c: CaseModel, unmasked: Bool, known: Parts? = nil, req: Request) async throws -> CaseDTO {
        let id = c.id!
        let applicant: ApplicantModel
        let events: [CaseEventModel]
        let materials: [CaseMaterialModel]
        let files: [CaseFileModel]
        let notices: [NoticeModel]
        let stops: [CaseClock.Stop]
        let tasks: [CaseTaskDTO]
        if let known {
            (applicant, events, materials, notices) = (known.applicant, known.events, known.materials, known.notices)
            (files, stops, tasks) = ([], [], [])
        } else {
            guard let a = try await ApplicantModel.find(c.applicantID, on: req.db) else { throw Abort(.internalServerError) }
            applicant = a
            events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == id).sort(\.$seq).all()
            materials = try await CaseMaterialModel.query(on: req.db).filter(\.$caseID == id).sort(\.$position).all()
            files = try await CaseFileModel.query(on: req.db).filter(\.$caseID == id).sort(\.$position).sort(\.$uploadedAt)
                .field(\.$id).field(\.$caseID).field(\.$position).field(\.$filename).field(\.$contentType).field(\.$size).field(\.$sha256)
                .field(\.$uploadedAt).field(\.$uploadedBy).all()
            notices = try await NoticeModel.query(on: req.db).filter(\.$caseID == id).sort(\.$seq)
                .field(\.$id).field(\.$caseID).field(\.$seq).field(\.$kind).field(\.$serial).field(\.$issuedAt).field(\.$issuedBy).field(
                    \.$sha256
                ).all()
            stops = try await Self.stops(id, on: req.db)
            tasks = try await CaseTasks.list(id, on: req.db)
        }
        var clockDTO: CaseClockDTO?
        if let clock = clock(c, stops: stops) {
            let calendar = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
            let asOf = c.decidedOn.flatMap(CivilDate.init) ?? HallClock.day(req.now)
            let r = clock.reading(on: asOf, calendar: calendar)
            let open = !(CaseState(rawValue: c.state)?.isClosed ?? true) && c.decidedOn == nil
            clockDTO = CaseClockDTO(
                promisedDays: c.promisedDays, legalDays: c.legalDays, extensionDays: c.extensionDays, used: r?.used,
                promisedLeft: r?.promisedLeft, legalLeft: r?.legalLeft, promisedDue: r?.promisedDue?.description,
                legalDue: r?.legalDue?.description, stopped: r?.stopped ?? false,
                level: open
                    ? r.map { SupervisionThresholds.standard.level(promisedLeft: $0.promisedLeft, legalLeft: $0.legalLeft).rawValue } : nil,
                provisional: [r?.promisedDue, r?.legalDue].compactMap { $0 }.contains {
                    calendar.isProvisional(from: clock.started, to: $0)
                })
        }
        let form = (try? JSONDecoder().decode([String: String].self, from: Data(c.form.utf8))) ?? [:]
        // Only a decided case can have issued a licence; its PDF is not read here.
        let licence =
            c.decidedOn == nil
            ? nil
            : try await LicenceModel.query(on: req.db).filter(\.$caseID == id)
                .field(\.$id).field(\.$number).field(\.$kind).field(\.$itemName).field(\.$authority).field(\.$holderName)
                .field(\.$holderIDMasked).field(\.$issuedOn).field(\.$validUntil).field(\.$state).field(\.$sha256).field(\.$verifyToken)
                .first()
        return CaseDTO(
            id: id, number: c.number, centerID: c.centerID, departmentID: c.departmentID, itemID: c.itemID, itemCode: c.itemCode,
            itemName: c.itemName, guideVersion: c.guideVersion, caseType: c.caseType, channel: c.channel, state: c.state,
            receivedOn: c.receivedOn, acceptedOn: c.acceptedOn, decidedOn: c.decidedOn, deliveredOn: c.deliveredOn,
            applicant: ApplicantDTO(applicant, unmasked: unmasked), clock: clockDTO,
            materials: materials.map { .init(position: $0.position, name: $0.name, need: $0.need, status: $0.status, note: $0.note) },
            files: files.map {
                .init(
                    id: $0.id!, position: $0.position, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                    sha256: $0.sha256, uploadedAt: Date(timeIntervalSince1970: Double($0.uploadedAt) / 1000),
                    downloadURL: "/api/v1/cases/\(id)/files/\($0.id!)")
            },
            form: form,
            events: events.map {
                .init(
                    seq: $0.seq, action: $0.action, fromState: $0.fromState, toState: $0.toState, actor: $0.actorName,
                    at: Date(timeIntervalSince1970: Double($0.atMillis) / 1000), day: $0.day, reason: $0.reason)
            },
            notices: notices.map(NoticeSummaryDTO.init), tasks: tasks, fee: c.feeCents.map(CaseFees.yuan),
            licenceNumber: c.licenceNumber, licence: licence.map { LicenceDTO($0, req: req, masked: false) }, special: c.special,
            specialReason: c.specialReason, anonymisedAt: c.anonymisedAt.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }

    /// Tracking without signing in: the case number and the last 4 characters of the applicant's
    /// ID number or credit code. Both must match; any miss is the same 404, so that numbers cannot
    /// be probed.
    static func track(number: String?, idTail: String?, req: Request) async throws -> TrackedCaseDTO {
        let tail = (idTail ?? "").uppercased().filter { !$0.isWhitespace }
        guard let parsed = CaseNumber.parse(number ?? ""), tail.count == 4 else { throw Abort(.notFound) }
        let number = CaseNumber.make(center: parsed.center, day: parsed.day, sequence: parsed.sequence)
        guard let c = try await CaseModel.query(on: req.db).filter(\.$number == number).first(),
            let a = try await ApplicantModel.find(c.applicantID, on: req.db), a.idNumber.hasSuffix(tail)
        else { throw Abort(.notFound) }
        let events = try await CaseEventModel.query(on: req.db).filter(\.$caseID == c.id!).sort(\.$seq).all()
        return TrackedCaseDTO(
            number: c.number, itemName: c.itemName, state: c.state, receivedOn: c.receivedOn, acceptedOn: c.acceptedOn,
            promisedDue: c.promisedDue, applicantName: Masking.keep(a.name, head: 1, tail: 0),
            events: events.map {
                .init(action: $0.action, toState: $0.toState, day: $0.day, at: Date(timeIntervalSince1970: Double($0.atMillis) / 1000))
            })
    }
}
