// LongestFirstTruncation: how many word pieces of each text of a pair survive `longest_first` truncation,
// exactly as the reference tokenizer splits the budget. Pure arithmetic; never touches the pieces.

enum LongestFirstTruncation {
    /// `budget` is the maximum length minus the three special tokens. Both texts are cut from the right:
    /// when they do not fit, the shorter keeps min(itself, half-ish) and the longer gets the rest; when
    /// the shorter alone is more than half, both get half and an odd piece goes to the originally longer
    /// one (to the second text on a tie).
    static func keptLengths(first: Int, second: Int, budget: Int) -> (first: Int, second: Int) {
        if first + second <= budget { return (first, second) }
        let swapped = first > second
        var shorter = swapped ? second : first
        var longer: Int
        if shorter > budget {
            longer = shorter
        } else {
            longer = max(shorter, budget - shorter)
        }
        if shorter + longer > budget {
            shorter = budget / 2
            longer = shorter + budget % 2
        }
        let kept = swapped ? (first: longer, second: shorter) : (first: shorter, second: longer)
        return (min(first, kept.first), min(second, kept.second))
    }
}
