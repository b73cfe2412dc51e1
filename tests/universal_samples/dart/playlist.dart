import 'dart:math' as math;
import 'package:music/track.dart' show Track;

/// The longest a playlist may play, in minutes.
const int maxMinutes = 600;
final defaultName = 'Untitled';

// Something that can be played.
abstract class Playable {
  Duration get length;
  void play();
}

enum Mood { calm, upbeat, sad }

mixin Shuffling {
  List<T> shuffled<T>(List<T> items) => List.of(items)..shuffle(math.Random());
}

class Playlist extends Object with Shuffling implements Playable {
  final String name;
  final List<Track> _tracks = [];
  static int created = 0;

  Playlist(this.name) {
    created++;
  }

  Playlist.empty() : this(defaultName);

  @override
  Duration get length =>
      _tracks.fold(Duration.zero, (total, t) => total + t.length);

  void add(Track track, {bool atFront = false}) {
    if (atFront) {
      _tracks.insert(0, track);
    } else {
      _tracks.add(track);
    }
  }

  @override
  void play() => print('Playing $name');
}

extension Minutes on Duration {
  double get minutes => inSeconds / 60;
}

String describe(Playlist list, [Mood mood = Mood.calm]) {
  return '${list.name} (${mood.name})';
}

void main() {
  final list = Playlist('Road trip');
  list.play();
}
