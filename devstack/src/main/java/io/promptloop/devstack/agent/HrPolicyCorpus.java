package io.promptloop.devstack.agent;

import io.promptloop.avro.session.ImprovementCategory;
import java.util.List;
import java.util.Map;

/**
 * What the simulated agent talks about: the HR and attendance-policy questions that managers ask an HR
 * assistant (the ERA agent of seed 003), the policy chunks its retrieval finds, and what testers and judges
 * say is missing. Every question has a stable example id, so the same example recurs across sessions as it
 * would in production, which is what the optimizer learns from.
 */
final class HrPolicyCorpus {

    private HrPolicyCorpus() {}

    /** A policy passage the assistant's retrieval can return. */
    record Chunk(String id, String text) {}

    /**
     * One policy topic.
     *
     * @param slug stable part of example ids
     * @param category test-case category of evaluations
     * @param documentTitle title of the policy document the chunks come from
     * @param section where in the document the rule is
     * @param openers questions that start a conversation about the topic
     * @param followUps questions that continue it
     * @param answers the core of the assistant's answer
     * @param nextStep what the assistant tells the manager to do next, when it does
     * @param chunks passages retrieval finds for the topic
     * @param expectedBehavior what a complete answer does
     * @param gaps what an incomplete answer leaves out, for notes and judge feedback
     */
    record Topic(
            String slug,
            String category,
            String documentTitle,
            String section,
            List<String> openers,
            List<String> followUps,
            List<String> answers,
            String nextStep,
            List<Chunk> chunks,
            String expectedBehavior,
            List<String> gaps) {}

    static final List<Topic> TOPICS = List.of(
            new Topic(
                    "no-call-no-show",
                    "attendance",
                    "No Call / No Show Policy",
                    "§3",
                    List.of(
                            "My employee didn't show up for her 6am shift and isn't answering her phone. What do I do?",
                            "One of my front desk staff no-call no-showed today. How should I handle it?",
                            "A trainer missed his shift without calling in. Is that a write-up?"),
                    List.of(
                            "I called once today and left a voicemail.",
                            "This is the second time this month.",
                            "What if he says he had a family emergency?",
                            "Do I need to tell HR right away?"),
                    List.of(
                            "A missed shift without notice is a no-call/no-show and counts as an unexcused absence. Try to"
                                    + " reach the employee at least twice during the shift and record the absence in the"
                                    + " timekeeping system before the end of the day.",
                            "The first no-call/no-show is a documented verbal warning; a second within 90 days moves to a"
                                    + " written warning. Two consecutive no-call/no-shows are treated as job abandonment,"
                                    + " which HR reviews before anything is final."),
                    "Log each call attempt with the time and method in the employee's file today.",
                    List.of(
                            new Chunk(
                                    "ncns-3.1",
                                    "Employees who fail to report for a scheduled shift without notifying their manager at"
                                            + " least two hours before the shift start are considered a no-call/no-show."),
                            new Chunk(
                                    "ncns-3.2",
                                    "Managers must attempt to contact the employee at least twice during the missed shift"
                                            + " and document each attempt, including the time and method of contact."),
                            new Chunk(
                                    "ncns-3.4",
                                    "Two consecutive no-call/no-shows are considered job abandonment and are treated as a"
                                            + " voluntary resignation, subject to HR review.")),
                    "Ask whether the employee has been reached, explain how to document contact attempts, state the"
                            + " disciplinary step for the number of occurrences, and cite the No Call / No Show Policy.",
                    List.of(
                            "the requirement to document every contact attempt with time and method",
                            "that two consecutive no-call/no-shows count as job abandonment",
                            "a clarifying question about how many occurrences there were in the last 90 days")),
            new Topic(
                    "tardiness",
                    "attendance",
                    "Attendance Policy",
                    "§2.3",
                    List.of(
                            "How many times can someone be late before I write them up?",
                            "My sales associate keeps clocking in 10 minutes late. What's the policy?",
                            "Does being 5 minutes late count as a tardy?"),
                    List.of(
                            "She's been late four times in the last month.",
                            "What if the lateness is because of the bus schedule?",
                            "Do tardies ever roll off?",
                            "Can I send him home if he shows up late?"),
                    List.of(
                            "Arriving more than 7 minutes after the scheduled start is a tardy. Three tardies in a rolling"
                                    + " 30-day period lead to a verbal warning, five to a written warning.",
                            "Tardies are counted over a rolling 30-day window, so each one drops off 30 days after it"
                                    + " happened. Repeated lateness for a recurring reason such as transport can be"
                                    + " discussed as a schedule change."),
                    "Pull the employee's punch history for the last 30 days before the conversation.",
                    List.of(
                            new Chunk(
                                    "att-2.3",
                                    "An employee who clocks in more than seven minutes after the scheduled start time is"
                                            + " tardy. Tardies are tracked over a rolling 30-day period."),
                            new Chunk(
                                    "att-2.4",
                                    "Three tardies within 30 days result in a verbal warning; five tardies result in a"
                                            + " written warning under the Progressive Discipline Policy."),
                            new Chunk(
                                    "att-2.6",
                                    "Managers may not send an employee home as a disciplinary measure for tardiness without"
                                            + " approval from HR.")),
                    "Give the grace period and the rolling-window thresholds, explain what the manager may and may not"
                            + " do, and suggest reviewing punch history.",
                    List.of(
                            "the seven-minute grace period",
                            "that tardies roll off after 30 days",
                            "that sending someone home for lateness needs HR approval")),
            new Topic(
                    "pto-request",
                    "leave",
                    "Paid Time Off Policy",
                    "§4",
                    List.of(
                            "An employee asked for a week of PTO next month but we're short-staffed. Can I deny it?",
                            "How much notice does someone need to give for vacation?",
                            "Can part-time staff use PTO?"),
                    List.of(
                            "She already booked her flights.",
                            "Two people asked for the same week.",
                            "What if they don't have enough PTO accrued yet?",
                            "Can they borrow against next year's PTO?"),
                    List.of(
                            "PTO requests need two weeks' notice for up to three days and four weeks for longer absences."
                                    + " A manager may deny a request for business needs but must respond within five"
                                    + " business days and offer alternative dates.",
                            "When requests conflict, approve them in the order they were submitted. Employees cannot go"
                                    + " negative on PTO; unpaid time off needs HR approval."),
                    "Reply to the request in the scheduling app within five business days, with alternative dates if you"
                            + " decline.",
                    List.of(
                            new Chunk(
                                    "pto-4.1",
                                    "Requests for up to three consecutive days of paid time off require two weeks' notice;"
                                            + " longer requests require four weeks' notice."),
                            new Chunk(
                                    "pto-4.3",
                                    "Managers may deny paid time off for legitimate business needs but must respond within"
                                            + " five business days and propose alternative dates."),
                            new Chunk(
                                    "pto-4.5",
                                    "Paid time off cannot be taken before it is accrued. Conflicting requests are approved"
                                            + " in the order received.")),
                    "State the notice periods, the manager's right to deny with a response deadline, and how conflicts"
                            + " and insufficient accrual are handled.",
                    List.of(
                            "the five-business-day response deadline",
                            "that conflicting requests are approved first come, first served",
                            "that PTO cannot be used before it is accrued")),
            new Topic(
                    "sick-leave",
                    "leave",
                    "Sick Leave Policy",
                    "§5",
                    List.of(
                            "Can I ask for a doctor's note when someone calls in sick?",
                            "An employee called in sick three days in a row. What are my options?",
                            "Is sick time paid for hourly employees?"),
                    List.of(
                            "He calls in sick every Monday.",
                            "What if she refuses to give a note?",
                            "Do sick days count against attendance?",
                            "Can I ask what the illness is?"),
                    List.of(
                            "You may ask for a doctor's note only after three consecutive sick days. Do not ask about the"
                                    + " nature of the illness; a note confirming the employee was unfit to work is enough.",
                            "Approved sick leave does not count as an attendance occurrence. A pattern such as repeated"
                                    + " Monday absences should be raised with HR rather than with the employee directly."),
                    "If the absence reaches three days, send the standard note request from the HR portal.",
                    List.of(
                            new Chunk(
                                    "sick-5.2",
                                    "A medical certificate may be requested after three consecutive days of sick leave."
                                            + " Managers must not ask about the diagnosis."),
                            new Chunk(
                                    "sick-5.3",
                                    "Approved sick leave is not counted as an occurrence under the Attendance Policy."),
                            new Chunk(
                                    "sick-5.6",
                                    "Suspected misuse of sick leave must be referred to HR before any conversation with the"
                                            + " employee.")),
                    "Explain when a note may be requested, that the diagnosis must not be asked, and route suspected"
                            + " patterns to HR.",
                    List.of(
                            "that a note can only be requested after three consecutive days",
                            "that managers must not ask about the diagnosis",
                            "that suspected misuse goes to HR first")),
            new Topic(
                    "shift-swap",
                    "scheduling",
                    "Scheduling and Shift Swap Guidelines",
                    "§2",
                    List.of(
                            "Two of my employees swapped shifts without asking me. Is that allowed?",
                            "How far in advance do schedules have to be posted?",
                            "Can I change someone's schedule the day before?"),
                    List.of(
                            "The swap pushed one of them into overtime.",
                            "What if it's an emergency?",
                            "Do I have to pay them if I cancel their shift?",
                            "They both agreed to it."),
                    List.of(
                            "Shift swaps need manager approval in the scheduling app before the shift. An unapproved swap"
                                    + " is handled as a policy reminder the first time, not as discipline.",
                            "Schedules are posted 14 days ahead. Changes with less than 24 hours' notice need the"
                                    + " employee's agreement, and a shift cancelled by the club with less than 24 hours'"
                                    + " notice is paid for two hours."),
                    "Approve or reject the swap in the scheduling app so the record is complete.",
                    List.of(
                            new Chunk(
                                    "sched-2.1",
                                    "Schedules are published at least 14 days in advance. Changes within 24 hours of a"
                                            + " shift require the employee's consent."),
                            new Chunk(
                                    "sched-2.4",
                                    "Employees may trade shifts only with manager approval recorded in the scheduling"
                                            + " system. A swap may not create unapproved overtime."),
                            new Chunk(
                                    "sched-2.5",
                                    "If the club cancels a shift with less than 24 hours' notice, the employee is paid two"
                                            + " hours at the regular rate.")),
                    "State the approval requirement, the posting and change-notice rules, and the overtime caveat.",
                    List.of(
                            "that a swap may not create unapproved overtime",
                            "the two hours of pay for late cancellations",
                            "that a first unapproved swap is a reminder, not discipline")),
            new Topic(
                    "overtime",
                    "pay",
                    "Overtime and Timekeeping Policy",
                    "§6",
                    List.of(
                            "Does overtime need to be approved in advance?",
                            "An employee worked 44 hours without approval. Do I still have to pay the overtime?",
                            "How is overtime calculated for someone with two job codes?"),
                    List.of(
                            "Can I just adjust her hours next week instead?",
                            "It happened three weeks in a row.",
                            "Is it daily or weekly overtime here?",
                            "Can I write him up for it?"),
                    List.of(
                            "Overtime must be approved in advance, but hours actually worked are always paid, including"
                                    + " unapproved overtime. Unapproved overtime can be addressed as a conduct issue, never"
                                    + " by withholding pay.",
                            "Overtime is paid at 1.5 times the weighted average rate for hours over 40 in the workweek."
                                    + " Hours cannot be shifted into another week to avoid overtime."),
                    "Approve the hours in timekeeping so payroll is correct, then talk to the employee about pre-approval.",
                    List.of(
                            new Chunk(
                                    "ot-6.1",
                                    "Non-exempt employees are paid one and a half times their regular rate for hours"
                                            + " worked over 40 in a workweek."),
                            new Chunk(
                                    "ot-6.2",
                                    "Overtime must be approved by a manager in advance. All hours worked must be paid,"
                                            + " whether or not the overtime was approved."),
                            new Chunk(
                                    "ot-6.4",
                                    "For employees with more than one rate, overtime is based on the weighted average of"
                                            + " the rates worked in that week.")),
                    "Say that all hours worked are paid, explain the pre-approval rule and the weighted-average rate,"
                            + " and rule out moving hours between weeks.",
                    List.of(
                            "that all hours worked must be paid even without approval",
                            "that hours cannot be moved to another week",
                            "the weighted-average rate for employees with two job codes")),
            new Topic(
                    "missed-punch",
                    "timekeeping",
                    "Timekeeping Policy",
                    "§3",
                    List.of(
                            "An employee forgot to clock out last night. How do I fix it?",
                            "Who can edit timecards?",
                            "My employee keeps forgetting to punch in for lunch."),
                    List.of(
                            "It was three days ago.",
                            "Payroll already closed for the week.",
                            "Can I just enter the scheduled times?",
                            "Does the employee have to sign anything?"),
                    List.of(
                            "Missed punches are corrected by the manager in the timekeeping system with the actual time"
                                    + " worked, and the employee confirms the correction electronically. Never enter the"
                                    + " scheduled time unless the employee confirms it is accurate.",
                            "Corrections after payroll closes go on the next paycheck as an adjustment. Three or more"
                                    + " missed punches in a pay period are an attendance occurrence."),
                    "Open the missed-punch exception in timekeeping and send it to the employee for confirmation.",
                    List.of(
                            new Chunk(
                                    "time-3.2",
                                    "Timecard edits must reflect actual hours worked and must be acknowledged by the"
                                            + " employee within two pay periods."),
                            new Chunk(
                                    "time-3.3",
                                    "Corrections made after payroll processing are paid as an adjustment on the next"
                                            + " regular paycheck."),
                            new Chunk(
                                    "time-3.5",
                                    "Three or more missed punches within one pay period count as one attendance"
                                            + " occurrence.")),
                    "Explain how the manager corrects the punch, the employee's acknowledgement, and what happens"
                            + " after payroll closes.",
                    List.of(
                            "that the employee must acknowledge the edit",
                            "that late corrections are paid as an adjustment on the next paycheck",
                            "that repeated missed punches count as an occurrence")),
            new Topic(
                    "fmla",
                    "leave",
                    "Leave of Absence (FMLA) Policy",
                    "§7",
                    List.of(
                            "An employee told me she's pregnant and will need leave. What do I do?",
                            "Who is eligible for FMLA?",
                            "My employee needs time off to care for his father after surgery."),
                    List.of(
                            "She's only been here eight months.",
                            "Can he take it a few days at a time?",
                            "Do I keep paying her benefits?",
                            "What paperwork do I need to give him?"),
                    List.of(
                            "Refer the employee to HR within two business days; HR determines eligibility and sends the"
                                    + " notice. Employees with 12 months of service and 1,250 hours in the last year are"
                                    + " eligible for up to 12 weeks of job-protected leave.",
                            "FMLA leave can be taken intermittently when medically necessary, and health benefits continue"
                                    + " during the leave. Managers should not ask for medical details."),
                    "Send the leave referral form to HR today and tell the employee HR will contact them.",
                    List.of(
                            new Chunk(
                                    "loa-7.1",
                                    "Employees with at least 12 months of service and 1,250 hours worked in the previous"
                                            + " 12 months are eligible for up to 12 weeks of job-protected leave."),
                            new Chunk(
                                    "loa-7.2",
                                    "Managers must refer any request that may qualify for protected leave to HR within two"
                                            + " business days. HR determines eligibility."),
                            new Chunk(
                                    "loa-7.5",
                                    "Group health coverage continues during protected leave on the same terms as if the"
                                            + " employee were working.")),
                    "Tell the manager to refer to HR within two business days, give the eligibility rule without"
                            + " deciding it, and mention intermittent leave and benefits.",
                    List.of(
                            "the two-business-day referral deadline",
                            "that HR, not the manager, decides eligibility",
                            "that benefits continue during the leave")),
            new Topic(
                    "bereavement",
                    "leave",
                    "Bereavement Leave Policy",
                    "§2",
                    List.of(
                            "An employee's grandmother passed away. How much time off do they get?",
                            "Is bereavement leave paid?",
                            "Does bereavement cover a close friend?"),
                    List.of(
                            "The funeral is out of state.",
                            "Do I need proof?",
                            "She's part-time.",
                            "Can he add PTO to it?"),
                    List.of(
                            "Full-time employees receive up to three paid days for an immediate family member, including"
                                    + " grandparents, and five days if travel over 300 miles is needed. Part-time employees"
                                    + " receive the same days unpaid.",
                            "Documentation is not required up front; a manager may ask for an obituary or funeral"
                                    + " program afterwards only if HR asks. PTO can be added to extend the leave."),
                    "Mark the days as bereavement in the schedule so they are not counted as absences.",
                    List.of(
                            new Chunk(
                                    "ber-2.1",
                                    "Full-time employees receive up to three days of paid bereavement leave for an"
                                            + " immediate family member; five days when travel exceeds 300 miles."),
                            new Chunk(
                                    "ber-2.2",
                                    "Immediate family includes spouse or partner, children, parents, siblings,"
                                            + " grandparents and grandchildren, including in-laws and step-relatives."),
                            new Chunk(
                                    "ber-2.4", "Employees may use accrued paid time off to extend bereavement leave.")),
                    "Give the number of days, who counts as family, the travel extension, and the part-time rule,"
                            + " with empathy.",
                    List.of(
                            "the extension to five days for long-distance travel",
                            "how part-time employees are treated",
                            "an expression of condolence before the rules")),
            new Topic(
                    "inclement-weather",
                    "scheduling",
                    "Inclement Weather and Club Closure Policy",
                    "§1",
                    List.of(
                            "There's an ice storm tomorrow. Do employees get paid if the club closes?",
                            "Can an employee refuse to come in because of the weather?",
                            "Who decides whether the club closes for weather?"),
                    List.of(
                            "We stayed open but half the staff couldn't make it.",
                            "What about salaried managers?",
                            "Does it count as an absence?",
                            "How do I tell the team?"),
                    List.of(
                            "When the regional director closes the club, scheduled employees are paid for their scheduled"
                                    + " hours that day. If the club stays open, employees who cannot travel safely may use"
                                    + " PTO or take the day unpaid without an attendance occurrence.",
                            "Closure decisions are made by the regional director by 5am and sent through the team app;"
                                    + " managers should not close a club on their own."),
                    "Post the regional director's decision in the team app as soon as you receive it.",
                    List.of(
                            new Chunk(
                                    "wx-1.1",
                                    "The regional director decides on weather closures by 5:00 a.m. and announces them"
                                            + " through the team communication app."),
                            new Chunk(
                                    "wx-1.2",
                                    "If a club is closed, employees scheduled that day are paid for their scheduled hours."),
                            new Chunk(
                                    "wx-1.3",
                                    "If a club remains open, employees unable to travel safely may use paid time off or"
                                            + " unpaid time, and no attendance occurrence is recorded.")),
                    "Explain who decides, pay for scheduled hours on closure, and the no-occurrence rule when open.",
                    List.of(
                            "that no attendance occurrence is recorded for weather absences",
                            "that only the regional director closes a club",
                            "the 5 a.m. decision deadline")),
            new Topic(
                    "meal-breaks",
                    "pay",
                    "Meal and Rest Break Policy",
                    "§3",
                    List.of(
                            "Do employees have to take a lunch break on a 6-hour shift?",
                            "My employee wants to skip lunch and leave early. Is that allowed?",
                            "Are 15-minute breaks paid?"),
                    List.of(
                            "She says she prefers working through.",
                            "What if we're too busy for anyone to take a break?",
                            "Does this apply to minors?",
                            "Can breaks be combined?"),
                    List.of(
                            "Shifts over six hours include an unpaid 30-minute meal break, which cannot be skipped to leave"
                                    + " early. Rest breaks of 15 minutes per four hours are paid.",
                            "Employees under 18 must take a 30-minute meal break after five hours. If business needs"
                                    + " prevent a break, the manager must record a missed-break exception."),
                    "Schedule meal breaks in the shift plan so coverage is arranged in advance.",
                    List.of(
                            new Chunk(
                                    "brk-3.1",
                                    "Employees working more than six hours receive an unpaid, uninterrupted 30-minute meal"
                                            + " period. Meal periods may not be waived to shorten the shift."),
                            new Chunk(
                                    "brk-3.2",
                                    "A paid 15-minute rest break is provided for every four hours worked. Rest breaks may"
                                            + " not be combined with the meal period."),
                            new Chunk(
                                    "brk-3.4",
                                    "Employees under 18 must take a meal period after five consecutive hours. Missed breaks"
                                            + " are recorded as exceptions in the timekeeping system.")),
                    "Give the meal and rest break rules, the no-waiver rule, the rule for minors, and the exception"
                            + " record.",
                    List.of(
                            "that the meal break cannot be waived to leave early",
                            "the stricter rule for employees under 18",
                            "recording a missed-break exception")),
            new Topic(
                    "progressive-discipline",
                    "conduct",
                    "Progressive Discipline Policy",
                    "§1",
                    List.of(
                            "What are the steps before I can terminate someone for attendance?",
                            "How do I write up an employee?",
                            "Can I skip the verbal warning if the behaviour was serious?"),
                    List.of(
                            "He already has a written warning from last year.",
                            "Does the employee have to sign the write-up?",
                            "Should HR be in the room?",
                            "How long does a final warning stay active?"),
                    List.of(
                            "The steps are a documented verbal warning, a written warning, a final written warning and"
                                    + " then termination, each reviewed by HR. Warnings stay active for 12 months.",
                            "Serious misconduct can skip steps, but only with HR approval. An employee who refuses to sign"
                                    + " a warning is noted as having refused; the warning still stands."),
                    "Draft the warning in the HR portal and send it to your HR business partner for review before the"
                            + " meeting.",
                    List.of(
                            new Chunk(
                                    "disc-1.2",
                                    "Progressive discipline consists of a documented verbal warning, a written warning, a"
                                            + " final written warning and termination."),
                            new Chunk(
                                    "disc-1.3",
                                    "Each step is active for 12 months. Steps may be skipped for serious misconduct only"
                                            + " with HR approval."),
                            new Chunk(
                                    "disc-1.5",
                                    "If an employee refuses to sign a warning, the manager notes the refusal and a witness"
                                            + " signs; the warning remains valid.")),
                    "List the steps, the 12-month active period, HR review, and what to do when the employee refuses to"
                            + " sign.",
                    List.of(
                            "HR review before each step",
                            "that warnings stay active for 12 months",
                            "what to do when the employee refuses to sign")));

    /** Notes a tester writes per category; {@code %s} is replaced by one of the topic's gaps or its document. */
    static final Map<ImprovementCategory, List<String>> NOTES = Map.of(
            ImprovementCategory.TONE,
                    List.of(
                            "Too formal, needs more empathy",
                            "Acknowledge that the manager is short-staffed before quoting the rule",
                            "Sounds like a lawyer; make it friendlier"),
            ImprovementCategory.CONTENT,
                    List.of("Should ask clarifying questions first", "Missing %s", "Answer is right but leaves out %s"),
            ImprovementCategory.CITATION,
                    List.of(
                            "Cite the section number of the %s",
                            "Quote the exact policy wording instead of paraphrasing",
                            "Name the policy (%s) so the manager can look it up"),
            ImprovementCategory.CLARITY,
                    List.of(
                            "Too long; lead with the answer in one sentence",
                            "Explain what counts as an 'occurrence'",
                            "Avoid HR jargon like 'adverse action'"),
            ImprovementCategory.STRUCTURE,
                    List.of(
                            "Use numbered steps for the process",
                            "Put the next action first, background after",
                            "Split into 'what to do today' and 'what to document'"),
            ImprovementCategory.ACTION,
                    List.of(
                            "Tell the manager exactly what to enter in the timekeeping system",
                            "Should suggest looping in the HR business partner",
                            "Offer to draft the message to the employee"),
            ImprovementCategory.OTHER,
                    List.of("Answer was right but took too long to arrive", "Repeated what the previous turn said"));

    /** A note without a category: the tester was happy (seed 003's example). */
    static final String NO_CHANGE_NOTE = "Good response, no changes needed";

    static final List<String> INTROS = List.of(
            "Got it, that's definitely something to handle carefully.",
            "Thanks for the context.",
            "Good question.",
            "Happy to help with that.",
            "Understood.");

    static final List<String> CLOSINGS = List.of(
            "Want me to draft the message to the employee?",
            "Let me know if you need the form.",
            "Anything else about this situation?",
            "");

    /** Testers as seed 003 identifies them: AAD object id, email, display name. */
    record TesterProfile(String id, String email, String name) {}

    static final List<TesterProfile> TESTERS = List.of(
            new TesterProfile("5f1c9a52-8d2e-4b7a-9c41-2e7d1b3a6f08", "meg@fitnessconnection.example", "Meg Alvarez"),
            new TesterProfile("a3e07b19-46c2-4f5d-8e2a-91b6c4d7e350", "jordan@fitnessconnection.example", "Jordan Lee"),
            new TesterProfile("c82d4f6e-1b93-47a0-b5de-3f0a9c6e2b71", "priya@fitnessconnection.example", "Priya Raman"),
            new TesterProfile("0e9b2c7a-5d14-4e68-a3f9-7c1b8d2e4a96", "sam@fitnessconnection.example", "Sam Okafor"),
            new TesterProfile(
                    "7d3a1e5c-9f20-4b86-8c17-4a6e2f9b0d53", "lena@fitnessconnection.example", "Lena Fischer"));

    /** Versions (git hashes) of the master prompt that sessions start on. */
    static final List<String> PROMPT_VERSIONS = List.of("fc26922", "ee59fe5", "3b1d0a7");

    static final List<String> END_REASONS = List.of("tester closed the session", "completed", "idle timeout");
}
