"""One world, month by month, read from the model's snapshot and event log."""

from simulator.explore.draft import Draft
from simulator.explore.story import OneWorld
from simulator.model.model import RelationsModel
from simulator.vocabulary import EVENTS
from tests.conftest import BASELINE


def test_the_story_follows_the_world_to_the_horizon_and_tells_its_events():
    spec = Draft.open(BASELINE).spec
    world = OneWorld(spec, seed=5)
    while world.step() is not None:
        pass
    assert world.done and len(world.chapters) == spec.months
    assert [c.month for c in world.chapters][:2] == [str(spec.start), str(spec.start.plus(1))]
    reference = RelationsModel(spec, worlds=1, seed=5)
    reference.run_model()
    told = {event: i for i, chapter in enumerate(world.chapters) for event in chapter.events}
    happened = {e: int(reference.events.first[k, 0]) for k, e in enumerate(EVENTS) if reference.events.first[k, 0] >= 0}
    assert told == happened
    assert world.state == reference.snapshot(0)


def test_each_change_of_state_is_told_in_words():
    world = OneWorld(Draft.open(BASELINE).spec, seed=5)
    chapters = [world.step() for _ in range(24)]
    for before, chapter in zip([world.start, *[c.state for c in chapters]], chapters, strict=False):
        if before["level"] != chapter.state["level"]:
            line = f"level: {before['level'].replace('_', ' ')} \u2192 {chapter.state['level'].replace('_', ' ')}"
            assert line in chapter.sentences()
    assert all(chapter.sentences() for chapter in chapters)
