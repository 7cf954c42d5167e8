import Fluent
import Foundation
import OneStopCore
import Vapor

/// Applicants: registering online, and being found or entered at a window.
enum ApplicantService {
    /// Registers a person or an entity with a password. The account's username is generated, so
    /// that no ID number reaches the audit log; they sign in with their ID number or credit code.
    /// A walk-in record with the same number is taken over only when name and phone match what the
    /// window recorded.
    static func register(_ input: RegisterApplicantInput, req: Request) async throws -> (ApplicantModel, UserModel) {
        var errors: [FieldError] = []
        var valid: ApplicantInput.Valid?
        switch input.applicant.validated() {
        case .success(let v): valid = v
        case .failure(let f): errors += f.errors
        }
        let password = input.password ?? ""
        for code in PasswordPolicy.problems(password) { errors.append(FieldError("password", code)) }
        guard errors.isEmpty, let valid else { throw ValidationFailure(errors) }
        let hash = try await req.password.async.hash(password)
        let root = try await rootCenter(on: req.db)
        let now = HallClock.millis(req.now)
        return try await req.audited { db in
            let existing = try await ApplicantModel.query(on: db).filter(\.$kind == valid.kind.rawValue)
                .filter(\.$idNumberIndex == ApplicantModel.index(valid.idNumber)).first()
            if let existing, existing.userID != nil || existing.name != valid.name || existing.phone != valid.phone {
                throw ValidationFailure([FieldError("idNumber", "applicant.taken")])
            }
            let user = UserModel()
            user.id = UUID.timeOrdered()
            user.username = "applicant-" + String(UUID().uuidString.lowercased().prefix(8))
            user.displayName = valid.name
            user.passwordHash = hash
            user.role = Role.applicant.rawValue
            user.centerID = root
            user.phone = valid.phone
            user.failedLogins = 0
            user.disabled = false
            try await user.create(on: db)
            let applicant = existing ?? ApplicantModel()
            if existing == nil {
                applicant.id = UUID.timeOrdered()
                applicant.kind = valid.kind.rawValue
                applicant.name = valid.name
                applicant.idNumber = valid.idNumber
                applicant.phone = valid.phone
                applicant.contact = valid.contact
                applicant.createdAt = now
            }
            applicant.userID = user.id
            try await applicant.save(on: db)
            return (
                (applicant, user),
                [
                    AuditEvent(
                        "applicant.register", "applicant", id: applicant.id, center: nil,
                        detail: ["kind": valid.kind.rawValue, "username": user.username, "walkIn": existing == nil ? "no" : "yes"])
                ]
            )
        }
    }

    /// The applicant of a signed-in applicant account.
    static func own(_ req: Request) async throws -> ApplicantModel? {
        guard let p = req.principal, p.role == .applicant else { return nil }
        return try await ApplicantModel.query(on: req.db).filter(\.$userID == p.id).first()
    }

    static func rootCenter(on db: any Database) async throws -> UUID {
        guard let root = try await CenterModel.query(on: db).filter(\.$parentID == nil).sort(\.$code).first()?.id else {
            throw Abort(.internalServerError, reason: "no center")
        }
        return root
    }
}
