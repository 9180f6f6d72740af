// The verdict of every photo in the labelled real-photo set (fixtures/people), pinned. A change to
// the detector, the second look or a threshold that moves any verdict shows up here by file name.
// The set's README says where each photo comes from; labels.json says what a photographer thinks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peopleSet, scoreSet, type Verdict } from '../../fixtures/people-set';
import { createPipeline, type Pipeline } from '../host/pipeline';

/** file, usable, faces counted, refusals, advice. */
type Row = [string, boolean, number, string[], string[]];
const TABLE: Row[] = [
  ['../astronaut.png', true, 1, [], []],
  ['biden_portrait.jpg', true, 1, [], []],
  ['obama_portrait.jpg', true, 1, [], []],
  ['oval_office_two.jpg', true, 2, [], []],
  ['hopper.jpg', true, 1, [], []],
  ['gates_glasses_portrait.jpg', true, 1, [], []],
  ['gates_modi_seated.jpg', true, 3, [], ['FACE_TURNED']],
  ['red_carpet_four.jpg', true, 4, [], ['FACE_TURNED']],
  ['two_actors_2008.jpg', true, 2, [], []],
  ['smiling_closeup.jpg', true, 1, [], []],
  ['panel_microphone.jpg', true, 1, [], []],
  ['charades.jpg', true, 1, [], []],
  ['tiff09_crowd.jpg', true, 2, [], []],
  ['ascent_far_people.jpg', false, 0, ['NO_FACE'], []],
  ['cameraman.jpg', false, 0, ['NO_FACE'], []],
  ['band_dark_group.jpg', false, 12, ['TOO_MANY_FACES','FACE_TOO_SMALL'], []],
  ['team_group_14.jpg', false, 9, ['TOO_MANY_FACES','FACE_TOO_SMALL'], []],
  ['street_crowd.jpg', false, 4, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['state_dinner.jpg', false, 5, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['gates_visakhapatnam_crowd.jpg', false, 6, ['TOO_MANY_FACES','FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['outdoor_group_nwp.jpg', false, 6, ['TOO_MANY_FACES','FACE_TOO_SMALL'], []],
  ['corridor_walk.jpg', false, 5, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['four_leaders_cop21.jpg', false, 1, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['jobs_gates_stage.jpg', false, 1, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['premiere_fists.jpg', false, 3, ['FACE_TOO_SMALL'], []],
  ['portrait_01.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_02.jpg', true, 1, [], []],
  ['portrait_03.jpg', true, 1, [], []],
  ['portrait_04.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_05.jpg', true, 1, [], []],
  ['portrait_06.jpg', true, 1, [], []],
  ['portrait_07.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_08.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_09.jpg', true, 1, [], []],
  ['portrait_10.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_11.jpg', true, 1, [], []],
  ['portrait_12.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_13.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_14.jpg', true, 1, [], []],
  ['portrait_15.jpg', true, 1, [], []],
  ['portrait_16.jpg', true, 1, [], []],
  ['portrait_17.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_18.jpg', true, 1, [], []],
  ['portrait_19.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_20.jpg', true, 1, [], ['FACE_TURNED']],
  ['portrait_21.jpg', true, 1, [], []],
  ['portrait_22.jpg', true, 1, [], []],
  ['portrait_23.jpg', true, 1, [], []],
  ['portrait_24.jpg', true, 1, [], []],
  ['portrait_25.jpg', true, 1, [], []],
  ['portrait_26.jpg', true, 1, [], []],
  ['portrait_27.jpg', true, 1, [], []],
  ['portrait_28.jpg', true, 1, [], []],
  ['wh_obama_desk.jpg', true, 1, [], []],
  ['wh_obama_dog_lawn.jpg', false, 1, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['wh_situation_room.jpg', false, 10, ['TOO_MANY_FACES','FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['max_luciano.jpg', true, 1, [], []],
  ['max_bryan_tiny.jpg', false, 1, ['FACE_TOO_SMALL'], []],
  ['max_chris.jpg', true, 1, [], []],
  ['max_paul.jpg', true, 1, [], []],
  ['max_paul_candid.jpg', true, 1, [], []],
  ['apollo11-crew.png', false, 3, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['girl-with-dog.jpg', false, 1, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['two_women_phones.jpg', true, 1, [], ['FACE_TURNED']],
  ['jump_back_to_camera.jpg', false, 0, ['NO_FACE'], []],
  // The mother looks down at a box: lowered lids read as shut, and "look up" is the right retake.
  ['mother_two_toddlers_boxes.jpg', true, 2, [], ['EYES_CLOSED', 'FACE_TURNED']],
  ['family_five_holding_hands_far.jpg', false, 5, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  // Eyes closed: usable, with advice (the head on the pillow is also tilted).
  ['woman_asleep_pillow.jpg', true, 1, [], ['FACE_TURNED', 'EYES_CLOSED']],
  ['woman_meditating_park.jpg', true, 1, [], ['EYES_CLOSED']],
  ['t_obama_dim.jpg', true, 1, [], []],
  ['t_two_actors_dim.jpg', true, 2, [], []],
  ['t_hopper_bright.jpg', true, 1, [], []],
  ['t_gates_modi_warm.jpg', true, 3, [], ['FACE_TURNED']],
  ['t_red_carpet_warm_dim.jpg', true, 4, [], ['FACE_TURNED']],
  ['t_panel_warm_dim.jpg', true, 1, [], ['FACE_TURNED']],
  ['t_biden_cool.jpg', true, 1, [], []],
  ['t_oval_office_cool.jpg', true, 2, [], []],
  ['t_oval_office_blue_cast.jpg', true, 2, [], []],
  ['t_two_actors_tungsten.jpg', true, 2, [], []],
  ['t_obama_roll_m20.jpg', true, 1, [], []],
  ['t_two_actors_roll_p15.jpg', true, 2, [], []],
  ['t_smiling_roll_p25.jpg', true, 1, [], []],
  ['t_gates_glasses_soft.jpg', true, 1, [], []],
  ['t_oval_office_soft.jpg', true, 2, [], []],
  ['t_hopper_grey.jpg', true, 1, [], []],
  ['t_oval_office_motion_heavy.jpg', false, 0, ['NO_FACE'], []],
  ['t_obama_motion_heavy.jpg', false, 0, ['NO_FACE'], []],
  ['t_red_carpet_motion_heavy.jpg', false, 0, ['NO_FACE'], []],
  ['t_hopper_defocus_heavy.jpg', false, 0, ['BLURRY'], []],
  ['t_oval_office_near_black.jpg', false, 0, ['NO_FACE','TOO_DARK'], []],
  ['t_hopper_near_black.jpg', false, 1, ['TOO_DARK'], []],
  ['t_obama_cut_edge.jpg', false, 0, ['FACE_CUT_OFF'], []],
  ['t_gates_glasses_cut_top.jpg', false, 0, ['FACE_CUT_OFF'], []],
  ['t_two_actors_cut_top.jpg', false, 0, ['NO_FACE'], []],
  ['t_obama_far.jpg', false, 1, ['FACE_TOO_SMALL'], []],
  ['t_red_carpet_far.jpg', false, 4, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['t_two_actors_far.jpg', false, 2, ['FACE_TOO_SMALL'], ['FACE_TURNED']],
  ['../chelsea.png', false, 0, ['NOT_A_PERSON'], []],
  ['../coffee.png', false, 0, ['NOT_A_PERSON'], []],
  ['../rocket.jpg', false, 0, ['NO_FACE'], []],
  ['macaque.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['raccoon.jpg', false, 0, ['NO_FACE'], []],
  ['stamp_chimp.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['stamp_gorilla.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['stamp_dog.jpg', false, 0, ['NO_FACE'], []],
  ['stamp_lion.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['stamp_edward_bear.jpg', false, 0, ['NO_FACE'], []],
  ['stamp_german_christmas_toy.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['stamp_grannysmith.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['stamp_statue.jpg', false, 0, ['NO_FACE'], []],
  ['piggy_bank.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['painting_vermeer.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['engraving_two_men.jpg', false, 0, ['NOT_A_PERSON'], []],
  ['horse_silhouette.jpg', false, 0, ['NO_FACE'], []],
  ['storm_sky.jpg', false, 0, ['NO_FACE'], []],
];

let p: Pipeline;
const verdicts = new Map<string, Verdict>();
const got = new Map<string, Row>();

beforeAll(async () => {
  p = await createPipeline({ modelsDir: join(import.meta.dirname, '../../models'), threads: 2 });
  for (const photo of peopleSet()) {
    const r = await p.checkPhoto(new Uint8Array(readFileSync(photo.path)));
    verdicts.set(photo.file, { ok: r.ok, faces: r.faces.length });
    const kind = (k: string): string[] => r.reasons.filter((x) => x.kind === k).map((x) => x.code);
    got.set(photo.file, [photo.file, r.ok, r.faces.length, kind('refusal'), kind('advice')]);
  }
}, 300_000);

afterAll(async () => {
  await p?.close();
});

describe('the labelled real-photo set', () => {
  it('has a pinned verdict for every labelled photo, and a label for every pinned one', () => {
    expect(TABLE.map((r) => r[0]).sort()).toEqual(peopleSet().map((x) => x.file).sort());
  });

  it.each(TABLE)('%s → usable %s, %i faces, refusals %j, advice %j', (file, ...expected) => {
    expect(got.get(file)).toEqual([file, ...expected]);
  });

  it('accepts the usable photos, refuses what would fail, finds the faces (targets of issue 14)', () => {
    const s = scoreSet(peopleSet(), verdicts);
    expect(s.acceptGood).toBeGreaterThanOrEqual(0.95);
    expect(s.refuseBad).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.falseFaces).toBe(0);
    // Known, kept visible: a second person standing far behind (face ~35 px) is not found, so the
    // photo passes as a portrait of the woman in front.
    expect(s.misses).toEqual(['two_women_phones.jpg: would fail, accepted']);
    // Known, kept visible: a mother looking down at a box, eyes lowered, is not found beside her
    // two toddlers (the photo is accepted with 2 of its 3 faces; recall 83 of 84).
    expect(s.labelledFaces - Math.round(s.recall * s.labelledFaces)).toBe(1);
  });

  it('never refuses a usable photo for advice alone: turned heads, dim or warm light, roll, softness', () => {
    for (const photo of peopleSet().filter((x) => x.use)) expect([photo.file, verdicts.get(photo.file)?.ok]).toEqual([photo.file, true]);
  });
});
