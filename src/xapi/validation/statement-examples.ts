/**
 * Realistic valid statements with every optional part, for the validator's tests and
 * benchmark (and for other tests that need a full statement). Each call returns a fresh copy.
 */

export function fullStatement103(): Record<string, any> {
  return {
    id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
    actor: {
      objectType: 'Agent',
      name: 'Ann Learner',
      mbox: 'mailto:ann.learner@example.com',
    },
    verb: {
      id: 'http://adlnet.gov/expapi/verbs/answered',
      display: { 'en-US': 'answered', 'de-DE': 'beantwortete' },
    },
    object: {
      objectType: 'Activity',
      id: 'http://example.com/courses/safety/quiz-1/question-3',
      definition: {
        name: { 'en-US': 'Question 3' },
        description: { 'en-US': 'Which of these are protective equipment?' },
        type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
        moreInfo: 'https://example.com/courses/safety/quiz-1',
        interactionType: 'choice',
        correctResponsesPattern: ['helmet[,]gloves'],
        choices: [
          { id: 'helmet', description: { 'en-US': 'Helmet' } },
          { id: 'gloves', description: { 'en-US': 'Gloves' } },
          { id: 'scarf', description: { 'en-US': 'Scarf' } },
        ],
        extensions: { 'http://example.com/ext/difficulty': 3 },
      },
    },
    result: {
      score: { scaled: 0.75, raw: 3, min: 0, max: 4 },
      success: true,
      completion: true,
      response: 'helmet[,]gloves',
      duration: 'PT1M12.5S',
      extensions: { 'http://example.com/ext/attempt': 2 },
    },
    context: {
      registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
      instructor: {
        objectType: 'Agent',
        name: 'Ian Instructor',
        account: { homePage: 'https://lms.example.com', name: 'ian-42' },
      },
      team: {
        objectType: 'Group',
        name: 'Team Blue',
        member: [
          { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' },
          { openid: 'https://openid.example.com/users/ben' },
        ],
      },
      contextActivities: {
        parent: [{ id: 'http://example.com/courses/safety/quiz-1', objectType: 'Activity' }],
        grouping: [{ id: 'http://example.com/courses/safety' }],
        category: [
          {
            id: 'https://w3id.org/xapi/cmi5/context/categories/moveon',
            definition: { type: 'http://adlnet.gov/expapi/activities/profile' },
          },
        ],
        other: { id: 'http://example.com/tags/ppe' },
      },
      revision: 'r3',
      platform: 'Example LMS',
      language: 'en-US',
      statement: { objectType: 'StatementRef', id: '9e13cefd-53d3-4eac-b5ed-2cf6693903bb' },
      extensions: { 'http://example.com/ext/session': 'abc-123' },
    },
    timestamp: '2026-11-28T10:15:30.123+01:00',
    stored: '2026-11-28T09:15:31.000Z',
    authority: {
      objectType: 'Group',
      member: [
        { account: { homePage: 'https://lrs.example.com/oauth', name: 'consumer-1' } },
        { mbox: 'mailto:ann.learner@example.com' },
      ],
    },
    version: '1.0.3',
    attachments: [
      {
        usageType: 'http://adlnet.gov/expapi/attachments/signature',
        display: { 'en-US': 'Signature' },
        description: { 'en-US': 'The signature of the statement' },
        contentType: 'application/octet-stream',
        length: 4235,
        sha2: '672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634',
      },
      {
        usageType: 'http://example.com/attachments/certificate',
        display: { en: 'Certificate' },
        contentType: 'application/pdf',
        length: 120034,
        sha2: 'a2f9b6c1e1f3d4b5a6978899aabbccddeeff00112233445566778899aabbccdd',
        fileUrl: 'https://files.example.com/certificates/ann.pdf',
      },
    ],
  };
}

/** A 2.0.0 statement: the 1.0.3 one plus contextAgents/contextGroups, RFC 3339 times, version 2.0.0. */
export function fullStatement200(): Record<string, any> {
  const s = fullStatement103();
  s.version = '2.0.0';
  s.timestamp = '2026-11-28T10:15:30.123+01:00';
  s.stored = '2026-11-28T09:15:31.000Z';
  s.context.contextAgents = [
    {
      objectType: 'contextAgent',
      agent: { objectType: 'Agent', mbox: 'mailto:mentor@example.com' },
      relevantTypes: ['https://example.com/roles/mentor'],
    },
    {
      objectType: 'contextAgent',
      agent: { account: { homePage: 'https://x.example', name: 'n' } },
    },
  ];
  s.context.contextGroups = [
    {
      objectType: 'contextGroup',
      group: { objectType: 'Group', name: 'Cohort 7', mbox: 'mailto:cohort7@example.com' },
      relevantTypes: ['https://example.com/roles/cohort'],
    },
  ];
  return s;
}

/** A SubStatement object with every part a SubStatement may have. */
export function fullSubStatement(): Record<string, any> {
  const s = fullStatement103();
  return {
    objectType: 'SubStatement',
    actor: s.actor,
    verb: { id: 'http://example.com/verbs/will-visit', display: { 'en-US': 'will visit' } },
    object: { id: 'http://example.com/places/museum', objectType: 'Activity' },
    result: { completion: false },
    context: { revision: 'r1', platform: 'Mobile', language: 'fr-CA' },
    timestamp: '2026-12-01T09:00:00Z',
    attachments: [s.attachments[0]],
  };
}
