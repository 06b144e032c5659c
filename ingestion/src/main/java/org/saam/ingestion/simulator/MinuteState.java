package org.saam.ingestion.simulator;

/**
 * What the simulated person is doing in one minute; the readings and the ground truth are both
 * derived from it.
 *
 * @param inBed lying in bed (bed presence 1)
 * @param restless in bed but moving (a movement bout, bed.movement at or above {@value
 *     GroundTruth#MOVEMENT_BOUT_THRESHOLD})
 * @param room room code, 0 when away from home
 * @param steps steps in this minute
 * @param heartRate mean heart rate of this minute, bpm
 * @param voices voices detected (a call or a visit)
 * @param visitors persons present besides the resident
 */
record MinuteState(
    boolean inBed,
    boolean restless,
    int room,
    int steps,
    double heartRate,
    boolean voices,
    int visitors) {}
