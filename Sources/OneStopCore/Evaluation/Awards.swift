/// Awards (issue 21, DOMAIN.md section 8): the rotating red flag (流动红旗), given by a higher
/// authority to the best hall or window unit of a period and moving on with the next period; the
/// party-member model window (党员示范窗口) and pioneer post (党员先锋岗); the service pacesetter
/// (服务标兵). Each is given for a period with a reason.
public enum AwardKind: String, CaseIterable, Sendable, Codable {
    case redFlag = "red_flag"
    case partyModelWindow = "party_model_window"
    case partyPioneerPost = "party_pioneer_post"
    case servicePacesetter = "service_pacesetter"

    /// What it may be given to: `center` (a hall), `department` (a window unit), `window`, `staff`.
    public var subjects: Set<String> {
        switch self {
        case .redFlag: return ["center", "department"]
        case .partyModelWindow: return ["window", "department"]
        case .partyPioneerPost, .servicePacesetter: return ["staff"]
        }
    }

    /// One holder a period per giving center: the flag moves on, it is not shared.
    public var single: Bool { self == .redFlag }
}

public enum AwardRules {
    /// Whether an award of `period` is shown on `today`: through its period and the next one (the
    /// flag of November flies until December's is given and December is over), not before.
    public static func shown(_ period: EvaluationPeriod, today: CivilDate) -> Bool {
        period.first <= today && today <= period.next.last
    }

    /// The red flag's holder from a signed ranking (best first, ties already broken by the
    /// ranking's stated rule): the first subject of a kind the flag may go to.
    public static func redFlag(from ranking: [(subject: String, points: Double)]) -> String? {
        ranking.first { AwardKind.redFlag.subjects.contains(String($0.subject.prefix { $0 != ":" })) }?.subject
    }
}
